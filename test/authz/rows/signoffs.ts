/** Matrix rows for sign-offs, competencies, rubrics, assessments, evidence downloads and the ledger check. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { cohorts, competencies, competencyAreas, competencyFrameworks, files, signoffEvidence, signoffRequests } from '../../../server/db/tables';
import { loadRubric } from '../../../server/rubrics/queries';
import { seedFrameworkAndRubrics } from '../../../seed/framework';
import { liveNote } from '../../support/evidence';
import { stageId } from './stage-support';
import type { AuthzRows, RoleExpectations, RowContext } from '../support';

const everyone: RoleExpectations = { admin: 'allow', lead: 'allow', mentor: 'allow', candidate: 'allow' };
const adminOnly: RoleExpectations = { admin: 'allow', lead: 403, mentor: 403, candidate: 403 };
const otherTenant: RoleExpectations = { admin: 'allow', lead: 404, mentor: 404, candidate: 404 };
const mentorOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 403 };
const mentorOnlyOther: RoleExpectations = { admin: 403, lead: 404, mentor: 404, candidate: 404 };
const selfOnly: RoleExpectations = { admin: 403, lead: 403, mentor: 403, candidate: 'allow' };
const assessors: RoleExpectations = { admin: 403, lead: 403, mentor: 'allow', candidate: 'allow' };

/** The seeded framework and rubrics, attached to both tenants' cohorts (idempotent across scopes). */
async function framework(c: RowContext): Promise<string> {
  return c.memo('signoff-framework', async () => {
    const [existing] = await c.db.select({ id: competencyFrameworks.id }).from(competencyFrameworks).limit(1);
    const id = existing?.id ?? (await seedFrameworkAndRubrics(c.db)).frameworkId!;
    await c.db.update(cohorts).set({ frameworkId: id }).where(inArray(cohorts.id, [c.world.a.cohort.id, c.world.b.cohort.id]));
    return id;
  });
}

async function competency(c: RowContext, code = 'D1'): Promise<string> {
  const frameworkId = await framework(c);
  const rows = await c.db.select({ id: competencies.id, code: competencies.code }).from(competencies).where(eq(competencies.frameworkId, frameworkId));
  return rows.find((r) => r.code === code)!.id;
}

/** A new pending request of the tenant's candidate (each call its own, so decisions always start from pending). */
async function pendingRequest(c: RowContext): Promise<string> {
  const [r] = await c.db.insert(signoffRequests).values({ cohortId: c.tenant.cohort.id, candidateId: c.tenant.candidate.id, competencyId: await competency(c, 'T1'), reflection: 'Matrix reflection', status: 'pending' }).returning();
  return r.id;
}

/** An evidence file on a request of the tenant's candidate, written under UPLOAD_DIR. */
async function evidenceFile(c: RowContext): Promise<string> {
  return c.memo('signoff-evidence-file', async () => {
    const requestId = await pendingRequest(c);
    const storageKey = `evidence/${randomBytes(24).toString('hex')}`;
    mkdirSync(path.join(c.app.config.uploadDir, 'evidence'), { recursive: true });
    writeFileSync(path.join(c.app.config.uploadDir, storageKey), '%PDF-1.4\n%%EOF\n');
    const [f] = await c.db.insert(files).values({ ownerId: c.tenant.candidate.id, storageKey, displayName: 'plan.pdf', mimeType: 'application/pdf', sizeBytes: 15, sha256: '0'.repeat(64), purpose: 'evidence' }).returning();
    await c.db.insert(signoffEvidence).values({ requestId, fileId: f.id, addedBy: c.tenant.candidate.id });
    return f.id;
  });
}

async function assessmentBody(c: RowContext) {
  await framework(c);
  const rubric = await loadRubric(c.db, 'knowledge-module');
  return { rubric: 'knowledge-module', contextType: 'module', contextId: `m-${c.uniq()}`, levels: Object.fromEntries(rubric.criteria.map((cr) => [cr.id, 2])) };
}

/** A released live note a mentor posted for the tenant's candidate (real evidence on their record), once per scope. */
const note = (c: RowContext) => c.memo('signoff-note', () => liveNote(c.db, c.tenant.cohort.id, c.tenant.mentor, c.tenant.candidate.id));
const LIVE_NOTE = 'co-delivery:live-note';

const candidateParams = async (c: RowContext) => {
  await framework(c);
  return { cohortId: c.tenant.cohort.id, userId: c.tenant.candidate.id };
};
const cohortParams = async (c: RowContext) => {
  await framework(c);
  return { cohortId: c.tenant.cohort.id };
};
const rubricJson = (c: RowContext) => ({
  key: `matrix-${c.uniq()}`,
  name: 'Matrix rubric',
  passThreshold: 50,
  levels: [
    { label: 'No', points: 0 },
    { label: 'Yes', points: 1 },
  ],
  criteria: [{ title: 'Safe', weight: 1, mustPass: true, passLevel: 1, descriptors: ['Unsafe', 'Safe'] }],
});

/** Rows keyed by "METHOD /path" exactly as registered. */
export const rows: AuthzRows = {
  'GET /api/v1/competency-frameworks': { own: adminOnly, other: 'same' },
  'GET /api/v1/cohorts/:cohortId/competency-framework': { params: cohortParams, own: everyone, other: otherTenant },
  'GET /api/v1/cohorts/:cohortId/candidates/:userId/competencies': { params: candidateParams, own: everyone, other: otherTenant },
  'POST /api/v1/cohorts/:cohortId/candidates/:userId/signoffs': {
    params: candidateParams,
    body: async (c) => ({ competencyId: await competency(c, 'D2'), reflection: 'A reflection that is long enough.', references: [{ refType: LIVE_NOTE, refId: await note(c) }] }),
    own: selfOnly,
    other: { admin: 403, lead: 404, mentor: 404, candidate: 404 },
  },
  'GET /api/v1/cohorts/:cohortId/signoffs': { params: cohortParams, own: mentorOnly, other: mentorOnlyOther },
  'GET /api/v1/cohorts/:cohortId/signoffs/:requestId': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, requestId: await c.memo('signoff-request', () => pendingRequest(c)) }),
    own: everyone,
    other: otherTenant,
  },
  'POST /api/v1/cohorts/:cohortId/signoffs/:requestId/decisions': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, requestId: await pendingRequest(c) }),
    body: () => ({ action: 'sign_off', rating: 2 }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'POST /api/v1/cohorts/:cohortId/signoffs/bulk': {
    params: cohortParams,
    body: async (c) => ({ competencyId: await competency(c, 'T4'), candidateIds: [c.tenant.candidate.id], rating: 2, evidence: [{ refType: LIVE_NOTE, refId: await note(c) }] }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'GET /api/v1/ledger/verify': { own: adminOnly, other: 'same' },
  'GET /api/v1/rubrics': { own: everyone, other: 'same' },
  'GET /api/v1/rubrics/:rubric': { params: async (c) => (await framework(c), { rubric: 'knowledge-module' }), own: everyone, other: 'same' },
  'POST /api/v1/rubrics': { body: rubricJson, own: adminOnly, other: 'same' },
  'GET /api/v1/cohorts/:cohortId/candidates/:userId/assessments': { params: candidateParams, own: everyone, other: otherTenant },
  'POST /api/v1/cohorts/:cohortId/candidates/:userId/assessments': { params: candidateParams, body: assessmentBody, own: assessors, other: mentorOnlyOther },

  'GET /cohorts/:cohortId/candidates/:userId/competencies': { params: candidateParams, own: everyone, other: otherTenant },
  'POST /cohorts/:cohortId/candidates/:userId/competencies/:competencyId/request': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, userId: c.tenant.candidate.id, competencyId: await competency(c, 'D3') }),
    body: async (c) => ({ reflection: 'A reflection that is long enough.', evidence: `${LIVE_NOTE}/${await note(c)}` }),
    own: selfOnly,
    other: { admin: 403, lead: 404, mentor: 404, candidate: 404 },
  },
  'POST /cohorts/:cohortId/candidates/:userId/competencies/request': {
    params: candidateParams,
    body: async (c) => ({ competencyId: await competency(c, 'D4'), reflection: 'A reflection that is long enough.', evidence: `${LIVE_NOTE}/${await note(c)}` }),
    own: selfOnly,
    other: { admin: 403, lead: 404, mentor: 404, candidate: 404 },
  },
  'GET /cohorts/:cohortId/signoffs': { params: cohortParams, own: mentorOnly, other: mentorOnlyOther },
  'POST /cohorts/:cohortId/signoffs/:requestId/decision': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, requestId: await pendingRequest(c) }),
    body: () => ({ action: 'sign_off', rating: '2' }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'GET /cohorts/:cohortId/signoffs/:requestId': {
    params: async (c) => ({ cohortId: c.tenant.cohort.id, requestId: await pendingRequest(c) }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'GET /cohorts/:cohortId/signoffs/bulk': { params: cohortParams, own: mentorOnly, other: mentorOnlyOther },
  'POST /cohorts/:cohortId/signoffs/bulk': {
    params: cohortParams,
    body: async (c) => ({ competencyId: await competency(c, 'T5'), candidateIds: c.tenant.candidate.id, rating: '2', evidence: `${LIVE_NOTE}/${await note(c)}` }),
    own: mentorOnly,
    other: mentorOnlyOther,
  },
  'GET /cohorts/:cohortId/candidates/:userId/assess/:rubric': {
    params: async (c) => ({ ...(await candidateParams(c)), rubric: 'knowledge-module' }),
    own: assessors,
    other: mentorOnlyOther,
  },
  'POST /cohorts/:cohortId/candidates/:userId/assess/:rubric': {
    params: async (c) => ({ ...(await candidateParams(c)), rubric: 'knowledge-module' }),
    body: async (c) => {
      const b = await assessmentBody(c);
      return { context: `stage:${await stageId(c, 'projects-week')}`, ...Object.fromEntries(Object.entries(b.levels).map(([k, v]) => [`level_${k}`, String(v)])) };
    },
    own: assessors,
    other: mentorOnlyOther,
  },
  'GET /cohorts/:cohortId/candidates/:userId/assessments': { params: candidateParams, own: everyone, other: otherTenant },
  'GET /admin/rubrics': { own: adminOnly, other: 'same' },
  'GET /admin/rubrics/:rubric': { params: async (c) => (await framework(c), { rubric: 'knowledge-module' }), own: adminOnly, other: 'same' },
  'POST /admin/rubrics': { body: (c) => ({ name: `Matrix ${c.uniq()}`, passThreshold: '50', c0_title: 'Safe', c0_weight: '1', c0_passLevel: '1', level0_label: 'No', level0_points: '0', level1_label: 'Some', level1_points: '1', level2_label: 'Yes', level2_points: '2', level3_label: 'All', level3_points: '3', c0_d0: 'a', c0_d1: 'b', c0_d2: 'c', c0_d3: 'd' }), own: adminOnly, other: 'same' },
  'GET /admin/rubrics/:rubric/edit': { params: async (c) => (await framework(c), { rubric: 'knowledge-module' }), own: adminOnly, other: 'same' },
  'POST /admin/rubrics/:rubric/edit': {
    params: async (c) => (await framework(c), { rubric: 'knowledge-module' }),
    body: () => ({ levelCount: '4', rowCount: '1', name: 'Matrix edit', passThreshold: '50', c0_title: 'Safe', c0_weight: '1', c0_passLevel: '1', level0_label: 'No', level0_points: '0', level1_label: 'Some', level1_points: '1', level2_label: 'Yes', level2_points: '2', level3_label: 'All', level3_points: '3', c0_d0: 'a', c0_d1: 'b', c0_d2: 'c', c0_d3: 'd' }),
    own: adminOnly,
    other: 'same',
  },
  'GET /evidence/:fileId': { params: async (c) => ({ fileId: await evidenceFile(c) }), own: everyone, other: otherTenant },
};

const frameworkJson = (c: RowContext) => ({ name: `Matrix framework ${c.uniq()}`, ratingScale: { levels: ['No', 'Yes'], competentFrom: 1 }, areas: [{ name: 'Area', competencies: [{ code: 'X1', name: 'One' }] }] });
async function firstArea(c: RowContext): Promise<string> {
  const frameworkId = await framework(c);
  const [area] = await c.db.select({ id: competencyAreas.id }).from(competencyAreas).where(eq(competencyAreas.frameworkId, frameworkId)).limit(1);
  return area.id;
}

Object.assign(rows, {
  'POST /api/v1/competency-frameworks': { body: frameworkJson, own: adminOnly, other: 'same' },
  'GET /api/v1/competency-frameworks/:frameworkId': { params: async (c: RowContext) => ({ frameworkId: await framework(c) }), own: adminOnly, other: 'same' },
  'POST /api/v1/competency-frameworks/:frameworkId/areas': { params: async (c: RowContext) => ({ frameworkId: await framework(c) }), body: (c: RowContext) => ({ name: `Area ${c.uniq()}` }), own: adminOnly, other: 'same' },
  'POST /api/v1/competency-frameworks/:frameworkId/competencies': {
    params: async (c: RowContext) => ({ frameworkId: await framework(c) }),
    body: async (c: RowContext) => ({ areaId: await firstArea(c), code: `M${c.uniq()}`, name: 'Matrix competency' }),
    own: adminOnly,
    other: 'same',
  },
  'PATCH /api/v1/competencies/:competencyId': { params: async (c: RowContext) => ({ competencyId: await competency(c, 'T7') }), body: () => ({ name: 'Reflective practice' }), own: adminOnly, other: 'same' },
  'GET /admin/competencies': { own: adminOnly, other: 'same' },
  'POST /admin/competencies/:frameworkId/areas': { params: async (c: RowContext) => ({ frameworkId: await framework(c) }), body: (c: RowContext) => ({ name: `Area ${c.uniq()}` }), own: adminOnly, other: 'same' },
  'POST /admin/competencies/:frameworkId/competencies': {
    params: async (c: RowContext) => ({ frameworkId: await framework(c) }),
    body: async (c: RowContext) => ({ areaId: await firstArea(c), code: `P${c.uniq()}`, name: 'Matrix competency' }),
    own: adminOnly,
    other: 'same',
  },
  'POST /admin/competencies/competency/:competencyId': { params: async (c: RowContext) => ({ competencyId: await competency(c, 'T7') }), body: () => ({ name: 'Reflective practice' }), own: adminOnly, other: 'same' },
} satisfies AuthzRows);
