/** Matrix rows for the transfer-week stage module. */
import { transferWeekDays, transferWeekMoments } from '../../../modules/transfer-week/schema';
import type { AuthzRows, RowContext } from '../support';
import { adminMentor, candidateOnly, everyone, mentorOnly, mentorOnlyOther, otherTenant, stageId } from './stage-support';

const P = '/cohorts/:cohortId/stages/transfer-week';
const A = '/api/v1/cohorts/:cohortId/stages/transfer-week';
const cohort = (c: RowContext) => ({ cohortId: c.tenant.cohort.id });
const candidateOther = { admin: 403, lead: 404, mentor: 404, candidate: 404 } as const;

const day = (c: RowContext) =>
  c.memo('tw-day', async () => (await c.db.insert(transferWeekDays).values({ cohortStageId: await stageId(c, 'transfer-week'), day: '2026-03-02', venue: 'Room 1', createdBy: c.tenant.mentor.id }).returning())[0]);
const moment = (c: RowContext) =>
  c.memo('tw-moment', async () =>
    (await c.db.insert(transferWeekMoments).values({ cohortStageId: await stageId(c, 'transfer-week'), candidateId: c.tenant.candidate.id, segment: 'Warm-up', reflection: 'It went well; I will slow down next time.', status: 'submitted' }).returning())[0],
  );
const withDay = async (c: RowContext) => ({ ...cohort(c), dayId: (await day(c)).id });
const withMoment = async (c: RowContext) => ({ ...cohort(c), momentId: (await moment(c)).id });
/** A new submitted moment for each call (confirming or returning one changes it). */
const freshMoment = async (c: RowContext) => ({
  ...cohort(c),
  momentId: (await c.db.insert(transferWeekMoments).values({ cohortStageId: await stageId(c, 'transfer-week'), candidateId: c.tenant.candidate.id, segment: `Warm-up ${c.uniq()}`, reflection: 'It went well; I will slow down next time.', status: 'submitted' }).returning())[0].id,
});
/** The candidate's transfer week is still locked (the Zoom introduction is not done): exactly the gate's 409. */
const candidateLocked = { ...candidateOnly, candidate: 409 } as const;
const newDay = () => ({ day: '2026-03-03', venue: 'Training suite' });
const newMoment = (c: RowContext) => ({ segment: `Segment ${c.uniq()}`, reflection: 'I led the debrief and kept it kind and specific.' });

export const rows: AuthzRows = {
  [`GET ${P}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${P}/days`]: { params: cohort, body: newDay, own: adminMentor, other: otherTenant },
  [`GET ${P}/days/:dayId/register`]: { params: withDay, own: mentorOnly, other: mentorOnlyOther },
  [`POST ${P}/days/:dayId/register`]: { params: withDay, body: (c) => ({ [`mark-${c.tenant.candidate.id}`]: 'present' }), own: mentorOnly, other: mentorOnlyOther },
  [`POST ${P}/moments`]: { params: cohort, body: newMoment, own: candidateLocked, other: candidateOther },
  [`POST ${P}/moments/:momentId`]: { params: withMoment, body: newMoment, own: candidateLocked, other: candidateOther },
  [`POST ${P}/moments/:momentId/confirm`]: { params: freshMoment, body: () => ({}), own: mentorOnly, other: mentorOnlyOther },
  [`POST ${P}/moments/:momentId/return`]: { params: freshMoment, body: () => ({ comment: 'Add what you would change.' }), own: mentorOnly, other: mentorOnlyOther },
  [`GET ${A}`]: { params: cohort, own: everyone, other: otherTenant },
  [`POST ${A}/days`]: { params: cohort, body: newDay, own: adminMentor, other: otherTenant },
  [`GET ${A}/days/:dayId/register`]: { params: withDay, own: mentorOnly, other: mentorOnlyOther },
  [`PUT ${A}/days/:dayId/register`]: { params: withDay, body: (c) => ({ marks: [{ candidateId: c.tenant.candidate.id, mark: 'late' }] }), own: mentorOnly, other: mentorOnlyOther },
  [`POST ${A}/moments`]: { params: cohort, body: newMoment, own: candidateLocked, other: candidateOther },
  [`PUT ${A}/moments/:momentId`]: { params: withMoment, body: newMoment, own: candidateLocked, other: candidateOther },
  [`POST ${A}/moments/:momentId/confirm`]: { params: freshMoment, body: () => ({}), own: mentorOnly, other: mentorOnlyOther },
  [`POST ${A}/moments/:momentId/return`]: { params: freshMoment, body: () => ({ comment: 'Add what you would change.' }), own: mentorOnly, other: mentorOnlyOther },
};
