/** Matrix rows for the pre-load video module: stage page, knowledge check, heartbeats, library admin, streaming. */
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { preloadVideoQuestions } from '../../../modules/preload-video/schema';
import { cohortStages, programmeTemplates } from '../../../server/db/tables';
import { addCaptions, buildVideo, CLIP_DIR, programmeOf } from '../../progression/support';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
/** Only the candidate themself acts in the stage; another tenant's cohort is hidden, except from the admin (403). */
const candidateOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 403, candidate: 'allow' };
const candidateOnlyOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };

const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
const video = (c: RowContext, name: string, o: { draft?: boolean } = {}) =>
  c.memo(`video-${name}`, async () => (await buildVideo(c.db, c.app.config.uploadDir, c.world.admin.id, { cohortId: c.tenant.cohort.id, title: `Matrix ${name}`, position: 99, ...o })).video.id);
const captioned = (c: RowContext) =>
  c.memo('video-captioned', async () => {
    const id = await video(c, 'stream');
    await addCaptions(c.db, c.app.config.uploadDir, c.world.admin.id, id, 'WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n');
    return id;
  });
const question = (c: RowContext, name: string) =>
  c.memo(`question-${name}`, async () => {
    const programmeTemplateId = await programmeOf(c.db, c.tenant.cohort.id);
    return (await c.db.insert(preloadVideoQuestions).values({ programmeTemplateId, position: 50, prompt: `Matrix ${name}?`, options: ['Yes', 'No'], correctIndex: 0 }).returning())[0].id;
  });

/** A video the tenant's pre-load stage shows now: the first its config names, else a new one in the cohort's current
 * programme (another row may have applied a different programme to the cohort since). */
async function stageVideo(c: RowContext): Promise<string> {
  const [s] = await c.db.select({ config: cohortStages.config }).from(cohortStages).where(and(eq(cohortStages.cohortId, c.tenant.cohort.id), eq(cohortStages.moduleKey, 'preload-video')));
  const named = Array.isArray(s?.config.videoIds) ? (s.config.videoIds as string[])[0] : undefined;
  return named ?? (await buildVideo(c.db, c.app.config.uploadDir, c.world.admin.id, { cohortId: c.tenant.cohort.id, title: `Matrix beat ${c.uniq()}`, position: 98 })).video.id;
}
/** Every question of the cohort's programme answered (one made first, so there is a knowledge check to take). */
async function quizAnswers(c: RowContext) {
  await question(c, 'quiz');
  const programmeTemplateId = await programmeOf(c.db, c.tenant.cohort.id);
  const all = await c.db.select({ id: preloadVideoQuestions.id }).from(preloadVideoQuestions).where(eq(preloadVideoQuestions.programmeTemplateId, programmeTemplateId));
  return Object.fromEntries(all.map((q) => [`q_${q.id}`, '0']));
}
/** A programme no cohort runs, so an upload to it is published at once (no one's progress to decide about). */
const emptyProgramme = (c: RowContext) => c.memo('empty-programme', async () => (await c.db.insert(programmeTemplates).values({ name: `Matrix library ${c.uniq()}` }).returning())[0].id);
const VTT = Buffer.from('WEBVTT\n\n00:00.000 --> 00:02.000\nHello.\n');

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /cohorts/:cohortId/stages/preload-video': { params: cohort, own: everyone, other: otherTenant },
  'POST /cohorts/:cohortId/stages/preload-video/quiz': { params: cohort, body: quizAnswers, own: candidateOnly, other: candidateOnlyOther },
  'POST /api/v1/cohorts/:cohortId/stages/preload-video/heartbeats': {
    params: cohort,
    body: async (c) => ({ videoId: await stageVideo(c), from: 0, to: 1 }),
    own: candidateOnly,
    other: candidateOnlyOther,
  },
  'GET /api/v1/cohorts/:cohortId/stages/preload-video/progress': { params: cohort, own: candidateOnly, other: candidateOnlyOther },
  'GET /stages/preload-video/admin': { own: adminOnly, other: 'same' },
  'POST /stages/preload-video/videos': {
    body: async (c) => ({ programmeId: await emptyProgramme(c), title: `Matrix upload ${c.uniq()}` }),
    request: (req, _c, body) => {
      const f = body as { programmeId: string; title: string };
      return req.field('programmeId', f.programmeId).field('title', f.title).attach('file', path.join(CLIP_DIR, 'first-minute.webm'));
    },
    own: adminOnly,
    other: 'same',
  },
  'POST /stages/preload-video/videos/:videoId': { params: async (c) => ({ videoId: await video(c, 'edit') }), body: () => ({ title: 'Matrix edit' }), own: adminOnly, other: 'same' },
  'POST /stages/preload-video/videos/:videoId/archive': { params: async (c) => ({ videoId: await video(c, 'archive') }), own: adminOnly, other: 'same' },
  'GET /stages/preload-video/questions': { own: adminOnly, other: 'same' },
  'GET /stages/preload-video/questions/new': { own: adminOnly, other: 'same' },
  'POST /stages/preload-video/questions': { body: async (c) => ({ programmeId: await emptyProgramme(c), prompt: `Matrix question ${c.uniq()}?`, answer0: 'Yes', answer1: 'No', correct: '0' }), own: adminOnly, other: 'same' },
  'GET /stages/preload-video/questions/:questionId': { params: async (c) => ({ questionId: await question(c, 'show') }), own: adminOnly, other: 'same' },
  'POST /stages/preload-video/questions/:questionId': { params: async (c) => ({ questionId: await question(c, 'edit') }), body: () => ({ prompt: 'Matrix edit', answer0: 'Yes', answer1: 'No', correct: '1' }), own: adminOnly, other: 'same' },
  'POST /stages/preload-video/questions/:questionId/move': { params: async (c) => ({ questionId: await question(c, 'move') }), body: () => ({ direction: 'up' }), own: adminOnly, other: 'same' },
  'POST /stages/preload-video/questions/:questionId/delete': { params: async (c) => ({ questionId: await question(c, 'delete') }), own: adminOnly, other: 'same' },
  'GET /stages/preload-video/videos/:videoId/publish': { params: async (c) => ({ videoId: await video(c, 'draft-view', { draft: true }) }), own: adminOnly, other: 'same' },
  'POST /stages/preload-video/videos/:videoId/publish': { params: async (c) => ({ videoId: await video(c, 'draft', { draft: true }) }), body: () => ({}), own: adminOnly, other: 'same' },
  'POST /stages/preload-video/videos/:videoId/captions': { params: async (c) => ({ videoId: await video(c, 'edit') }), request: (req) => req.attach('captions', VTT, { filename: 'captions.vtt', contentType: 'text/vtt' }), own: adminOnly, other: 'same' },
  // Content belongs to a programme: only people in a cohort of the video's programme (and admins) may watch it.
  'GET /stages/preload-video/videos/:videoId/stream': { params: async (c) => ({ videoId: await video(c, 'stream') }), own: everyone, other: otherTenant },
  'GET /stages/preload-video/videos/:videoId/captions': { params: async (c) => ({ videoId: await captioned(c) }), own: everyone, other: otherTenant },
};
