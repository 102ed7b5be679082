/** Demo data: three short generated WebM clips with captions, a three-question knowledge check, and watched progress —
 * all part of the demo cohort's programme. */
import { createReadStream, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { cohorts, files, type Db, type FileStorage, type SeedContext } from '../../server/modules/kit';
import { mergeIntervals, coveredSeconds } from './intervals';
import { probeDuration } from './media';
import { preloadVideoProgress, preloadVideoQuestions, preloadVideoQuizAttempts, preloadVideoVideos } from './schema';
import { programmeVideos } from './videos';
import { videoKey } from './upload';
import { captionsKey } from './caption-routes';
import { parseVtt, transcriptOf } from './vtt';

const CLIPS = [
  { file: 'non-escalation-basics.webm', title: 'Non-escalation basics', description: 'Staying calm, giving space and choices: what a trainer models before anything else.' },
  { file: 'first-minute.webm', title: 'De-escalation in the first minute', description: 'Noticing early signs of distress and responding with dignity and respect.' },
  { file: 'last-resort.webm', title: 'Restraint as a last resort', description: 'Why restraint is the last option, the risks it carries, and what must happen afterwards.' },
];

const QUESTIONS = [
  { prompt: 'A resident is pacing and raising their voice. What is usually the best first response?', options: ['Move in close and hold their arm', 'Give space, lower your voice and offer choices', 'Call for a restraint team straight away'], correctIndex: 1,
    explanation: 'Closing in or touching someone who is already distressed raises the threat they feel. Space, a calm low voice and real choices give them a way to settle without losing face — and keep everyone safer.' },
  { prompt: 'When is physical restraint justified?', options: ['Whenever a person refuses care', 'Only as a last resort, proportionate to a real risk of harm', 'As a routine part of a care plan'], correctIndex: 1,
    explanation: 'Refusing care is a person’s right, not a reason to hold them. Restraint is justified only when there is a real risk of harm, every less restrictive option has been tried, and it is proportionate and as brief as possible.' },
  { prompt: 'What should follow every restrictive intervention?', options: ['Nothing, if nobody was hurt', 'Post-incident support and a reflective debrief', 'A warning to the person involved'], correctIndex: 1,
    explanation: 'Every restrictive intervention is distressing, even when no one is injured. Support for the person and the staff, and a reflective debrief, are how the team learns to need it less next time.' },
];

/** Puts a demo clip's captions into the app's storage and records them; returns the file id and the captions' text. */
async function seedCaptions(db: Db, storage: FileStorage, ownerId: string, clip: string) {
  const source = path.join(__dirname, 'assets', clip.replace(/\.webm$/, '.vtt'));
  const storageKey = `${randomBytes(16).toString('hex')}.vtt`;
  const { size, sha256 } = await storage.put(captionsKey(storageKey), createReadStream(source));
  const [file] = await db
    .insert(files)
    .values({ ownerId, storageKey, displayName: path.basename(source), mimeType: 'text/vtt', sizeBytes: size, sha256, purpose: 'captions' })
    .returning();
  return { captionsFileId: file.id, captionsText: transcriptOf(parseVtt(readFileSync(source, 'utf8'))) };
}

/** Seeds the programme's content once (its first cohort), then each demo candidate's progress in this cohort's stage. */
export async function seed(ctx: SeedContext): Promise<void> {
  const { db, people, reached, stage, storage } = ctx;
  const [cohort] = await db.select({ programmeId: cohorts.programmeTemplateId }).from(cohorts).where(eq(cohorts.id, ctx.cohortId));
  const programmeId = cohort?.programmeId;
  if (!programmeId) return;
  let videos = await programmeVideos(db, programmeId);
  if (!videos.length) {
    let position = 0;
    for (const clip of CLIPS) {
      const source = path.join(__dirname, 'assets', clip.file);
      const storageKey = `${randomBytes(16).toString('hex')}.webm`;
      // Into the app's storage (UPLOAD_DIR or the S3 bucket), hashed on the way.
      const { size, sha256 } = await storage.put(videoKey(storageKey), createReadStream(source));
      const [file] = await db
        .insert(files)
        .values({ ownerId: people.admin, storageKey, displayName: clip.file, mimeType: 'video/webm', sizeBytes: size, sha256, purpose: 'video' })
        .returning();
      position += 1;
      const captions = await seedCaptions(db, storage, people.admin, clip.file);
      await db.insert(preloadVideoVideos).values({
        programmeTemplateId: programmeId,
        fileId: file.id,
        title: clip.title,
        description: clip.description,
        position,
        threshold: 90,
        durationSeconds: await probeDuration(source, 'video/webm', size),
        ...captions,
        publishedAt: new Date(),
      });
    }
    await db.insert(preloadVideoQuestions).values(QUESTIONS.map((q, i) => ({ ...q, programmeTemplateId: programmeId, position: i + 1 })));
    videos = await programmeVideos(db, programmeId);
  }
  for (const [candidateId, position] of Object.entries(reached)) {
    const done = position > stage.position;
    for (const [i, v] of videos.entries()) {
      const duration = v.durationSeconds ?? 10;
      // Someone still in pre-load has watched most of the first video and a little of the second.
      const share = done ? 1 : i === 0 ? 0.645 : i === 1 ? 0.205 : 0;
      if (!share) continue;
      const intervals = mergeIntervals([[0, duration * share]]);
      await db.insert(preloadVideoProgress).values({ videoId: v.id, userId: candidateId, intervals, watchedSeconds: coveredSeconds(intervals, duration) });
    }
    if (done) {
      const answers = Object.fromEntries((await db.select().from(preloadVideoQuestions).where(eq(preloadVideoQuestions.programmeTemplateId, programmeId)).orderBy(asc(preloadVideoQuestions.position))).map((q) => [q.id, q.correctIndex]));
      await db.insert(preloadVideoQuizAttempts).values({ cohortStageId: stage.id, userId: candidateId, score: QUESTIONS.length, outOf: QUESTIONS.length, percent: 100, passed: true, answers });
    }
  }
}
