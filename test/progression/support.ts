/** Test helpers for progression: cohorts with hand-made stages, rubrics, assessments, videos and a query counter. */
import { eq } from 'drizzle-orm';
import { copyFileSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { Db } from '../../server/db';
import { cohortStages, cohorts, files, programmeTemplates, rubrics, assessments, type RequirementSpec } from '../../server/db/tables';
import { preloadVideoVideos } from '../../modules/preload-video/schema';
import type { TestDatabase } from '../support/db';

/** A stage to create: module, title and requirements (positions follow the order given). */
export type StageSpec = { moduleKey: string; title?: string; open?: RequirementSpec[]; complete?: RequirementSpec[]; startsOn?: string | null; config?: Record<string, unknown> };

/** Inserts a cohort's stages in order and returns them. */
export async function addStages(db: Db, cohortId: string, specs: StageSpec[]) {
  return db
    .insert(cohortStages)
    .values(
      specs.map((s, i) => ({
        cohortId,
        position: i + 1,
        moduleKey: s.moduleKey,
        title: s.title ?? `Stage ${i + 1}`,
        config: s.config ?? {},
        openRequirements: s.open ?? [],
        completeRequirements: s.complete ?? [],
        startsOn: s.startsOn ?? null,
      })),
    )
    .returning();
}

/** Creates a rubric with a key and pass threshold. */
export async function buildRubric(db: Db, key: string, passThreshold = 70, name = `Rubric ${key}`) {
  const [r] = await db.insert(rubrics).values({ key, name, passThreshold }).returning();
  return r;
}

/** Records an assessment of a candidate with a rubric in a stage. */
export async function assess(db: Db, a: { rubricId: string; cohortId: string; candidateId: string; assessorId: string; stageId: string; percent: number; mustPassFailed?: boolean; kind?: 'mentor' | 'self' | 'shadow'; at?: Date }) {
  await db.insert(assessments).values({
    rubricId: a.rubricId,
    cohortId: a.cohortId,
    candidateId: a.candidateId,
    assessorId: a.assessorId,
    kind: a.kind ?? 'mentor',
    contextType: 'stage',
    contextId: a.stageId,
    cohortStageId: a.stageId,
    percent: a.percent,
    passed: a.percent >= 70 && !a.mustPassFailed,
    mustPassFailed: a.mustPassFailed ?? false,
    createdAt: a.at ?? new Date(),
  });
}

/** The committed demo clips. */
export const CLIP_DIR = path.resolve(__dirname, '../../modules/preload-video/assets');

/** Adds a library video (a copy of a committed clip in uploadDir) with a known duration. */
export async function buildVideo(db: Db, uploadDir: string, ownerId: string, o: { cohortId: string; title: string; durationSeconds?: number | null; threshold?: number; position?: number; clip?: string; draft?: boolean }) {
  const programmeId = await programmeOf(db, o.cohortId);
  const dir = path.join(uploadDir, 'videos');
  mkdirSync(dir, { recursive: true });
  const storageKey = `${randomBytes(16).toString('hex')}.webm`;
  copyFileSync(path.join(CLIP_DIR, o.clip ?? 'non-escalation-basics.webm'), path.join(dir, storageKey));
  const size = statSync(path.join(dir, storageKey)).size;
  const [file] = await db.insert(files).values({ ownerId, storageKey, displayName: 'clip.webm', mimeType: 'video/webm', sizeBytes: size, sha256: '0'.repeat(64), purpose: 'video' }).returning();
  const [video] = await db
    .insert(preloadVideoVideos)
    .values({
      programmeTemplateId: programmeId,
      fileId: file.id,
      title: o.title,
      position: o.position ?? 1,
      threshold: o.threshold ?? 90,
      durationSeconds: o.durationSeconds === undefined ? 100 : o.durationSeconds,
      publishedAt: o.draft ? null : new Date(),
    })
    .returning();
  return { video, file, size, path: path.join(dir, storageKey), programmeId };
}

/** Stores WebVTT captions for a video as an upload would (file row, stored bytes, the captions' text). */
export async function addCaptions(db: Db, uploadDir: string, ownerId: string, videoId: string, vtt: string, captionsText = 'Captions text.') {
  const dir = path.join(uploadDir, 'captions');
  mkdirSync(dir, { recursive: true });
  const storageKey = `${randomBytes(16).toString('hex')}.vtt`;
  writeFileSync(path.join(dir, storageKey), vtt);
  const [file] = await db.insert(files).values({ ownerId, storageKey, displayName: 'captions.vtt', mimeType: 'text/vtt', sizeBytes: Buffer.byteLength(vtt), sha256: '0'.repeat(64), purpose: 'captions' }).returning();
  await db.update(preloadVideoVideos).set({ captionsFileId: file.id, captionsText }).where(eq(preloadVideoVideos.id, videoId));
  return file;
}

/** The cohort's programme (content belongs to a programme): an empty one is made and given to the cohort if it has none. */
export async function programmeOf(db: Db, cohortId: string): Promise<string> {
  const [cohort] = await db.select({ programmeId: cohorts.programmeTemplateId, name: cohorts.name }).from(cohorts).where(eq(cohorts.id, cohortId));
  if (cohort.programmeId) return cohort.programmeId;
  const [template] = await db.insert(programmeTemplates).values({ name: `${cohort.name} programme` }).returning();
  await db.update(cohorts).set({ programmeTemplateId: template.id }).where(eq(cohorts.id, cohortId));
  return template.id;
}

/** A second handle on the same database that counts the SQL statements it sends. */
export function countingDb(database: TestDatabase): { db: Db; count: () => number; reset: () => void } {
  let n = 0;
  const logger = { logQuery: () => void (n += 1) };
  const client = (database.db as unknown as { $client: unknown }).$client;
  const db = (database.kind === 'pglite' ? drizzlePglite(client as never, { logger }) : drizzlePg(client as never, { logger })) as unknown as Db;
  return { db, count: () => n, reset: () => void (n = 0) };
}
