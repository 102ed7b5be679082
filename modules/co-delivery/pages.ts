/** Co-delivery pages: the course overview (sessions, outcomes, groups, agreement) and each group's attainment grid. */
import type { Request, Response } from 'express';
import { authorize, can, formAction, formBody, parse, pathId, ValidationError, type Action, type AppError, type CadreRouter, type StageRuntime } from '../../server/modules/kit';
import { groupInput, learnersForm, outcomeInput, sessionForm } from './inputs';
import { addGroup, addLearners, addOutcomes, addSession, addStandardOutcomes, getGroup, recordAttainment } from './commands';
import { agreement, assessLink, attainmentGrid, candidatesOf, listGroups, listOutcomes, listSessions, standings } from './queries';
import { attainmentRole, readAttainmentForm } from './access';
import { LEVELS, levelLabel } from './catalogue';

/** Mounts the co-delivery pages. */
export function coDeliveryPages(r: CadreRouter, rt: StageRuntime): void {
  const { db } = rt;
  const KEY = rt.stage.key;
  const base = (cohortId: string) => `/cohorts/${cohortId}/stages/${KEY}`;

  const context = (req: Request) => rt.stage.context(req);

  async function render(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const { actor, cohort, stage } = await context(req);
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
    res.render(rt.view('stage'), { title: stage.title, cohort, stage, sessions, outcomes, mine, staff, can: flags, saved: req.query.saved, ...extra });
  }

  r.get('/', (req, res) => render(req, res));

  const managed = (path: string, capability: Action, what: string, action: (req: Request, actorId: string, stage: Parameters<typeof addSession>[2]) => Promise<unknown>, errorKey: string) =>
    r.post(path, async (req, res) => {
      const { actor, cohort, stage } = await context(req);
      authorize(actor, capability, { type: 'cohort', cohort });
      await formAction(
        res,
        async () => {
          await action(req, actor.id, stage);
          return `${base(cohort.id)}?saved=${what}`;
        },
        (error: AppError) => render(req, res, { [errorKey]: error, form: req.body }),
      );
    });

  managed('/sessions', 'co-delivery:manage', 'session', (req, actorId, stage) => addSession(rt, actorId, stage, parse(sessionForm, formBody(req), 'session form')), 'sessionError');
  managed('/outcomes', 'co-delivery:manage', 'outcome', (req, actorId, stage) => addOutcomes(rt, actorId, stage, [parse(outcomeInput, formBody(req), 'outcome form').text]), 'outcomeError');
  managed('/outcomes/standard', 'co-delivery:manage', 'outcome', (_req, actorId, stage) => addStandardOutcomes(rt, actorId, stage), 'outcomeError');
  managed('/groups', 'co-delivery:manage', 'group', (req, actorId, stage) => addGroup(rt, actorId, stage, parse(groupInput, formBody(req), 'group form')), 'groupError');
  managed(
    '/learners',
    'co-delivery:roster',
    'learners',
    async (req, actorId, stage) => {
      const { groupId, ...rest } = formBody(req);
      const group = await getGroup(rt, stage, pathId(groupId, 'That group')).catch(() => {
        throw new ValidationError('Choose one of this course’s groups.', [{ field: 'groupId', message: 'is not a group of this course' }]);
      });
      return addLearners(rt, actorId, stage, group.id, parse(learnersForm, rest, 'learners form').labels);
    },
    'learnersError',
  );

  async function renderGrid(req: Request, res: Response, extra: Record<string, unknown> = {}) {
    const { actor, cohort, stage } = await context(req);
    const group = await getGroup(rt, stage, pathId(req.params.groupId, 'That group'));
    const role = attainmentRole(actor, cohort, group);
    const [[withLearners], outcomes, grid] = await Promise.all([
      listGroups(db, stage.id, group.candidateId).then((gs) => gs.filter((g) => g.id === group.id)),
      listOutcomes(db, stage.id),
      attainmentGrid(db, stage.id, group.id),
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
    res.render(rt.view('attainment'), { title: `Attainment — ${group.name}`, cohort, stage, group: withLearners, outcomes, rows, role, saved: req.query.saved === '1', ...extra });
  }

  r.get('/groups/:groupId/attainment', (req, res) => renderGrid(req, res));

  r.post('/groups/:groupId/attainment', async (req, res) => {
    const { actor, cohort, stage } = await context(req);
    const group = await getGroup(rt, stage, pathId(req.params.groupId, 'That group'));
    const role = attainmentRole(actor, cohort, group);
    if (role === 'candidate') await rt.stage.assertOpenFor(cohort.id, actor.id);
    await formAction(
      res,
      async () => {
        const entries = readAttainmentForm(formBody(req));
        if (entries.length) await recordAttainment(rt, actor.id, role, stage, group.id, entries);
        return `${base(cohort.id)}/groups/${group.id}/attainment?saved=1`;
      },
      (error: AppError) => renderGrid(req, res, { error }),
    );
  });
}
