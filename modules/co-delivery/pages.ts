/** Co-delivery pages: the course overview (sessions, outcomes, groups, agreement) and each group's attainment grid. */
import type { Response } from 'express';
import { z } from 'zod';
import { can, formOf, id, seeOther, ValidationError, type Actor, type StageCandidateSubject, type StagePages, type StageRuntime, type StageSubject, zonedToUtc } from '../../server/modules/kit';
import { groupInput, learnersForm, outcomeInput, sessionForm } from './inputs';
import { addGroup, addLearners, addOutcomes, addSession, addStandardOutcomes, getGroup, recordAttainment } from './commands';
import { agreement, assessLink, attainmentGrid, candidatesOf, listGroups, listOutcomes, listSessions, standings } from './queries';
import { attainmentForm, onGroup, type GroupSubject } from './access';
import { LEVELS, levelLabel } from './catalogue';

const pageQuery = z.object({ saved: z.string().max(40).optional() });
/** The learners form: the group chosen, and one learner per line. */
const learnersPost = formOf(learnersForm.extend({ groupId: id }));

/** Mounts the co-delivery pages. */
export function coDeliveryPages(r: StagePages, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;

  const manage = rt.stage.on('co-delivery:manage');
  const group = onGroup(rt);

  /** The course overview; the route authorised the actor on the cohort. */
  async function render(res: Response, actor: Actor, { cohort, stage }: StageSubject | StageCandidateSubject, extra: Record<string, unknown> = {}) {
    const subject = { type: 'cohort' as const, cohort };
    const flags = {
      manage: can(actor, 'co-delivery:manage', subject),
      roster: can(actor, 'co-delivery:roster', subject),
      assess: can(actor, 'co-delivery:assess', subject),
      seeAll: can(actor, 'co-delivery:see-all', subject),
      mine: can(actor, 'co-delivery:record', { type: 'candidate', cohort, candidateId: actor.id }),
    };
    const [sessions, outcomes] = await Promise.all([listSessions(db, stage.id), listOutcomes(db, stage.id)]);
    const firstSession = sessions[0]?.id;
    let mine: Record<string, unknown> | undefined;
    if (flags.mine) {
      const [groups, standing, [agree]] = await Promise.all([listGroups(db, stage.id, actor.id), standings(db, stage, [actor.id]), agreement(db, stage, [actor.id])]);
      mine = { lock: await rt.stage.lockReason(cohort.id, actor.id), groups, standing: standing.get(actor.id), agreement: agree };
    }
    let staff: Record<string, unknown> | undefined;
    if (flags.seeAll) {
      const [groups, candidates] = await Promise.all([listGroups(db, stage.id), candidatesOf(db, cohort.id)]);
      const [standing, agree] = await Promise.all([standings(db, stage, candidates.map((c) => c.id)), agreement(db, stage, candidates.map((c) => c.id))]);
      staff = {
        groups,
        candidates: candidates.map((c, i) => {
          const session = groups.find((g) => g.candidateId === c.id && g.sessionId)?.sessionId ?? firstSession;
          return { ...c, standing: standing.get(c.id), agreement: agree[i], assessLink: session ? assessLink(cohort.id, c.id, session, stage.id) : null };
        }),
      };
    }
    // addGroup and addLearners refuse a candidate or group the form cannot offer: with none to choose there is no form.
    const listed = staff as { groups: unknown[]; candidates: unknown[] } | undefined;
    const allowed = { ...flags, group: flags.manage && !!listed?.candidates.length, addLearners: flags.roster && !!listed?.groups.length };
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, sessions, outcomes, mine, staff, can: allowed, ...extra });
  }

  r.get('/', { summary: 'Co-delivery: your groups and agreement; sessions, outcomes, groups and learners for staff', query: pageQuery, authorize: rt.stage.on('co-delivery:view') }, ({ actor, subject, query }, _req, res) =>
    render(res, actor, subject, { saved: query.saved }),
  );

  const redisplay = (errorKey: string) => (_req: unknown, res: Response, { error, values, actor, subject }: { error: unknown; values: Record<string, unknown>; actor: Actor; subject: StageSubject }) =>
    render(res, actor, subject, { [errorKey]: error, form: values });
  const done = (cohortId: string, what: string) => seeOther(`${base(cohortId)}?saved=${what}`);

  r.form('/sessions', { summary: 'Add a dated session (form)', body: formOf(sessionForm), authorize: manage, rerender: redisplay('sessionError') }, async ({ body, actor, subject: { cohort, stage } }) => {
    // Typed times are read in the cohort's organisation's time zone.
    await addSession(rt, actor.id, stage, { ...body, startsAt: zonedToUtc(body.startsAt, cohort.timeZone), endsAt: zonedToUtc(body.endsAt, cohort.timeZone) });
    return done(cohort.id, 'session');
  });

  r.form('/outcomes', { summary: 'Add a learning outcome (form)', body: formOf(outcomeInput), authorize: manage, rerender: redisplay('outcomeError') }, async ({ body, actor, subject: { cohort, stage } }) => {
    await addOutcomes(rt, actor.id, stage, [body.text]);
    return done(cohort.id, 'outcome');
  });

  r.form('/outcomes/standard', { summary: 'Add the standard learning outcomes (form)', authorize: manage, rerender: redisplay('outcomeError') }, async ({ actor, subject: { cohort, stage } }) => {
    await addStandardOutcomes(rt, actor.id, stage);
    return done(cohort.id, 'outcome');
  });

  r.form('/groups', { summary: 'Create a small group led by a candidate (form)', body: formOf(groupInput), authorize: manage, rerender: redisplay('groupError') }, async ({ body, actor, subject: { cohort, stage } }) => {
    await addGroup(rt, actor.id, stage, body);
    return done(cohort.id, 'group');
  });

  r.form('/learners', { summary: 'Add learners to a group, one per line (form)', body: learnersPost, authorize: rt.stage.on('co-delivery:roster'), rerender: redisplay('learnersError') }, async ({ body, actor, subject: { cohort, stage } }) => {
    const chosen = await getGroup(rt, stage, body.groupId).catch(() => {
      throw new ValidationError('Choose one of this course’s groups.', [{ field: 'groupId', message: 'is not a group of this course' }]);
    });
    await addLearners(rt, actor.id, stage, chosen.id, body.labels);
    return done(cohort.id, 'learners');
  });

  /** A group's attainment grid, in the role the route authorised (leading candidate, or mentor shadow-scoring). */
  async function renderGrid(res: Response, actor: Actor, { cohort, stage, row, role }: GroupSubject, extra: Record<string, unknown> = {}) {
    const [[withLearners], outcomes, grid] = await Promise.all([
      listGroups(db, stage.id, row.candidateId).then((gs) => gs.filter((g) => g.id === row.id)),
      listOutcomes(db, stage.id),
      attainmentGrid(db, stage.id, row.id),
    ]);
    const rows = withLearners.learners.map((l) => ({
      ...l,
      cells: outcomes.map((o) => {
        const key = `${l.id}|${o.id}`;
        const mentorEntry = grid.mentor.get(key);
        const value = role === 'candidate' ? grid.candidate.get(key) : mentorEntry?.recorderId === actor.id ? mentorEntry.level : undefined;
        return { name: `a_${l.id}_${o.id}`, outcome: o.text, options: LEVELS.map((lv) => ({ ...lv, selected: lv.value === value })), candidateLevel: role === 'mentor' ? levelLabel(grid.candidate.get(key)) : null };
      }),
    }));
    // The leading candidate's save is refused while the stage is locked for them (assertOpenFor): the grid is shown, not offered.
    const lock = role === 'candidate' ? await rt.stage.lockReason(cohort.id, actor.id) : null;
    res.render(rt.view('attainment'), { title: `Attainment — ${row.name}`, cohort, stage, group: withLearners, outcomes, rows, role, lock, can: { save: lock === null }, ...extra });
  }

  r.get('/groups/:groupId/attainment', { summary: "A group's attainment grid (the leading candidate, or a mentor shadow-scoring)", query: pageQuery, authorize: group }, ({ actor, subject, query }, _req, res) =>
    renderGrid(res, actor, subject, { saved: query.saved === '1' }),
  );

  r.form(
    '/groups/:groupId/attainment',
    { summary: "Record a group's attainment (form)", body: attainmentForm, authorize: group, rerender: (_req, res, { error, actor, subject }) => renderGrid(res, actor, subject, { error }) },
    async ({ body: entries, actor, subject: { cohort, stage, row, role } }) => {
      if (role === 'candidate') await rt.stage.assertOpenFor(cohort.id, actor.id);
      if (entries.length) await recordAttainment(rt, actor.id, role, stage, row.id, entries);
      return seeOther(`${base(cohort.id)}/groups/${row.id}/attainment?saved=1`);
    },
  );
}
