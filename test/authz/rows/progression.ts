/** Matrix rows for progression: the candidate home and timeline, cohort overview, progress API, waivers, marks,
 * and programme template admin. */
import { and, asc, desc, eq, gt, lt } from 'drizzle-orm';
import { RETIRED_POSITION } from '../../../server/progression/registry';
import { cohortStages, programmeTemplates } from '../../../server/db/tables';
import { BUILT_IN_TEMPLATE } from '../../../seed/programme';
import { createTemplate } from '../../../server/programmes/commands';
import { writeWaiver } from '../../../server/progression/ledger';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const staff: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 403 };
const mentorOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const mentorOnlyOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };

const candidateParams = (c: RowContext) => ({ cohortId: c.tenant.cohort.id, userId: c.tenant.candidate.id });
/** A fresh waiver on the tenant's candidate (written through the ledger, as the app does), to withdraw. */
async function freshWaiver(c: RowContext) {
  const [s] = await c.db.select({ id: cohortStages.id, cohortId: cohortStages.cohortId, title: cohortStages.title }).from(cohortStages).where(and(eq(cohortStages.cohortId, c.tenant.cohort.id), gt(cohortStages.position, 0))).orderBy(asc(cohortStages.position)).limit(1);
  const w = await c.db.transaction((tx) => writeWaiver(tx, { stage: s, candidateId: c.tenant.candidate.id, mentorId: c.tenant.mentor.id, requirementKey: `open:${c.uniq()}:x`, reason: 'Matrix waiver to withdraw', at: new Date() }));
  return { ...candidateParams(c), waiverId: w.id };
}
/** A stage of its own at the end of the tenant's cohort (once per scope and name), so a row's write (a waiver, a mark)
 * never meets another row's. `marked`: it asks for a mentor's mark to complete. */
function extraStage(c: RowContext, name: string, marked = false): Promise<string> {
  return c.memo(`extra-stage-${name}`, async () => {
    const [last] = await c.db
      .select({ position: cohortStages.position })
      .from(cohortStages)
      .where(and(eq(cohortStages.cohortId, c.tenant.cohort.id), lt(cohortStages.position, RETIRED_POSITION)))
      .orderBy(desc(cohortStages.position))
      .limit(1);
    const [s] = await c.db
      .insert(cohortStages)
      .values({ cohortId: c.tenant.cohort.id, position: (last?.position ?? 0) + 1, moduleKey: 'zoom-intro', title: `Matrix ${name}`, completeRequirements: marked ? [{ kind: 'mentor-marked-complete', params: {} }] : [] })
      .returning();
    return s.id;
  });
}
/** The built-in template: applying it to a cohort that already runs it keeps every stage (harmless to other rows). */
const builtIn = (c: RowContext) =>
  c.memo('built-in-template', async () => (await c.db.select({ id: programmeTemplates.id }).from(programmeTemplates).where(eq(programmeTemplates.name, BUILT_IN_TEMPLATE)))[0].id);
/** A scratch template for stage edits. */
const scratch = (c: RowContext) =>
  c.memo('scratch-template', async () => (await createTemplate(c.app.cadre.ctx, c.world.admin.id, { name: `Scratch ${c.uniq()}`, stages: [{ moduleKey: 'zoom-intro', title: 'Intro', config: {}, open: [], complete: [], summary: null, startDay: null, endDay: null }] })).id);
/** A new one-stage scratch template (for rows that change its stages). */
const newScratch = async (c: RowContext) =>
  (await createTemplate(c.app.cadre.ctx, c.world.admin.id, { name: `Scratch ${c.uniq()}`, stages: [{ moduleKey: 'zoom-intro', title: 'Intro', config: {}, open: [], complete: [], summary: null, startDay: null, endDay: null }] })).id;
const stageForm = { moduleKey: 'zoom-intro', title: 'Intro', config: '{}', open: '[]', complete: '[]', startDay: '', endDay: '' };

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /me/progress': { own: everyone, other: 'same' },
  'GET /cohorts/:cohortId': { params: (c) => ({ cohortId: c.tenant.cohort.id }), own: everyone, other: otherTenant },
  'GET /cohorts/:cohortId/candidates/:userId': { params: candidateParams, own: everyone, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/candidates/:userId/progress': { params: candidateParams, own: everyone, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/progress': { params: (c) => ({ cohortId: c.tenant.cohort.id }), own: staff, other: otherTenant },
  'POST /api/v1/cohorts/:cohortId/candidates/:userId/waivers': {
    params: candidateParams,
    body: async (c) => ({ stageId: await extraStage(c, 'waiver-api'), requirementKey: null, reason: `Matrix waiver ${c.uniq()}` }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'POST /cohorts/:cohortId/candidates/:userId/waivers': {
    params: candidateParams,
    body: async (c) => ({ stageId: await extraStage(c, 'waiver-page'), reason: `Matrix waiver ${c.uniq()}` }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'POST /api/v1/cohorts/:cohortId/candidates/:userId/waivers/:waiverId/withdrawal': { params: freshWaiver, body: () => ({ reason: 'It no longer applies.' }), own: mentorOnly, other: mentorOnlyOther },
  'POST /cohorts/:cohortId/candidates/:userId/waivers/:waiverId/withdrawal': { params: freshWaiver, body: () => ({ reason: 'It no longer applies.' }), own: mentorOnly, other: mentorOnlyOther },
  'POST /api/v1/cohorts/:cohortId/candidates/:userId/stages/:stageId/complete': {
    params: async (c) => ({ ...candidateParams(c), stageId: await extraStage(c, 'marked-api', true) }),
    body: () => ({}),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'POST /cohorts/:cohortId/candidates/:userId/stages/:stageId/complete': {
    params: async (c) => ({ ...candidateParams(c), stageId: await extraStage(c, 'marked-page', true) }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },

  // Programme templates: the provider's admins only.
  'GET /api/v1/programmes': { own: adminOnly, other: 'same' },
  'GET /api/v1/programmes/requirement-kinds': { own: adminOnly, other: 'same' },
  'POST /api/v1/programmes': { body: (c) => ({ name: `Programme ${c.uniq()}` }), own: adminOnly, other: 'same' },
  'GET /api/v1/programmes/:templateId': { params: async (c) => ({ templateId: await builtIn(c) }), own: adminOnly, other: 'same' },
  'PUT /api/v1/programmes/:templateId': { params: async (c) => ({ templateId: await scratch(c) }), body: (c) => ({ name: `Scratch ${c.uniq()}` }), own: adminOnly, other: 'same' },
  'POST /api/v1/programmes/:templateId/apply': { params: async (c) => ({ templateId: await builtIn(c) }), body: (c) => ({ cohortId: c.tenant.cohort.id }), own: adminOnly, other: adminOnly },
  'GET /admin/programmes': { own: adminOnly, other: 'same' },
  'POST /admin/programmes': { body: (c) => ({ name: `Programme ${c.uniq()}` }), own: adminOnly, other: 'same' },
  'GET /admin/programmes/:templateId': { params: async (c) => ({ templateId: await builtIn(c) }), own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId': { params: async (c) => ({ templateId: await scratch(c) }), body: (c) => ({ name: `Scratch ${c.uniq()}` }), own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId/certificate': { params: async (c) => ({ templateId: await scratch(c) }), body: () => ({ certificateMonths: '12', refresherOf: '' }), own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId/stages': { params: async (c) => ({ templateId: await scratch(c) }), body: () => ({ moduleKey: 'zoom-intro' }), own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId/stages/:index': { params: async (c) => ({ templateId: await scratch(c), index: '0' }), body: () => stageForm, own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId/stages/:index/move': { params: async (c) => ({ templateId: await scratch(c), index: '0' }), body: () => ({ direction: 'down' }), own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId/order': { params: async (c) => ({ templateId: await scratch(c) }), body: () => ({ order: '1' }), own: adminOnly, other: 'same' },
  // A new one-stage template for each call: deleting its stage changes it.
  'POST /admin/programmes/:templateId/stages/:index/delete': { params: async (c) => ({ templateId: await newScratch(c), index: '0' }), own: adminOnly, other: 'same' },
  'POST /admin/programmes/:templateId/apply': { params: async (c) => ({ templateId: await builtIn(c) }), body: (c) => ({ cohortId: c.tenant.cohort.id }), own: adminOnly, other: adminOnly },
};
