/** Demo sign-off requests, decisions (each in the ledger) and rubric assessments: candidates at different points. */
import { eq } from 'drizzle-orm';
import type { Db } from '../server/db';
import { assessments, assessmentScores, competencies, type DecisionKind } from '../server/db/tables';
import { refEvidence } from '../server/signoffs/ledger';
import { writeSignoffStory, type StoryStep } from '../server/signoffs/story';
import { loadRubric } from '../server/rubrics/queries';
import { scoreAssessment } from '../server/rubrics/score';
import type { DemoWorld } from './world';

type Step = { kind: DecisionKind; by: string; rating?: number; note?: string };
type Story = { candidate: string; code: string; daysAgo: number; reflection: string; steps: Step[] };

const c2 = 'candidate2';
const c3 = 'candidate3';
const m1 = 'mentor1';
const m2 = 'mentor2';

/** Who asked for what, and what mentors decided. */
const STORIES: Story[] = [
  { candidate: c2, code: 'D1', daysAgo: 20, reflection: 'In transfer week I ran the non-escalation scenario with my team. Reading early signs of distress and changing the environment helped more than anything I said.', steps: [{ kind: 'sign_off', by: m1, rating: 2, note: 'Clear, warm and accurate.' }] },
  { candidate: c2, code: 'D2', daysAgo: 15, reflection: 'I taught de-escalation using the “space, time, choices” framework and role-play. Next time I will give quieter learners a role earlier.', steps: [{ kind: 'sign_off', by: m2, rating: 2 }] },
  { candidate: c2, code: 'T1', daysAgo: 4, reflection: 'My projects-week micro-session ran to 20 minutes exactly; I cut the second case study and kept the debrief.', steps: [] },
  { candidate: c2, code: 'D6', daysAgo: 2, reflection: 'I prepared a short module on reporting duties after restrictive practice, checked against our local policy.', steps: [] },
  { candidate: c3, code: 'D1', daysAgo: 40, reflection: 'Delivered non-escalation to the night team; used their own examples of early warning signs.', steps: [{ kind: 'sign_off', by: m1, rating: 3, note: 'Excellent use of real examples.' }] },
  { candidate: c3, code: 'D2', daysAgo: 38, reflection: 'De-escalation role-plays in pairs; I coached each pair on tone and posture.', steps: [{ kind: 'sign_off', by: m1, rating: 2 }] },
  { candidate: c3, code: 'D3', daysAgo: 30, reflection: 'Crisis management: I led the team response scenario and the post-incident debrief.', steps: [{ kind: 'sign_off', by: m2, rating: 2 }] },
  { candidate: c3, code: 'D4', daysAgo: 14, reflection: 'Demonstrated and coached breakaway techniques in transfer week; stopped practice when one pair got too fast.', steps: [{ kind: 'sign_off', by: m1, rating: 2, note: 'Safe and accurate demonstration.' }, { kind: 'countersign', by: m2, note: 'Agree — observed the second session too.' }] },
  { candidate: c3, code: 'D5', daysAgo: 3, reflection: 'Co-delivered team holding: no pain, no floor holds, wellbeing checks at every step.', steps: [{ kind: 'sign_off', by: m1, rating: 2, note: 'Technique and wellbeing checks were right.' }] },
  { candidate: c3, code: 'T1', daysAgo: 25, reflection: 'Kept the knowledge module to 45 minutes, with time for questions.', steps: [{ kind: 'sign_off', by: m2, rating: 2 }] },
  { candidate: c3, code: 'T2', daysAgo: 12, reflection: 'My session plan for understanding distress.', steps: [{ kind: 'decline', by: m1, note: 'The plan has no check of learning for outcome 2. Add one activity that shows each learner has understood it, then resubmit.' }] },
  { candidate: c3, code: 'T3', daysAgo: 8, reflection: 'I managed a group of six in projects week and kept everyone involved.', steps: [{ kind: 'more_evidence', by: m2, note: 'Please add your session notes or a live note from the co-delivery session showing how you included quieter learners.' }] },
  { candidate: c3, code: 'T5', daysAgo: 1, reflection: 'In co-delivery I gave each pair specific feedback during the holding practice and checked they could apply it.', steps: [] },
];

const HOUR = 3_600_000;

/** Seeds the demo's sign-offs and assessments. Every step goes through the ledger at a realistic past time. */
export async function seedSignoffs(db: Db, world: DemoWorld): Promise<void> {
  if (!world.frameworkId) return;
  const { people, cohortId } = world;
  const comps = await db.select().from(competencies).where(eq(competencies.frameworkId, world.frameworkId));
  const byCode = new Map(comps.map((c) => [c.code, c]));
  const citable = await citableEvidence(db, world, [...new Set(STORIES.map((s) => people[s.candidate]))]);
  // Requests are submitted mid-morning; each decision follows within the days after, never later than an hour ago.
  const today = new Date();
  today.setUTCHours(10, 0, 0, 0);
  for (const [n, story] of STORIES.entries()) {
    const competency = byCode.get(story.code);
    if (!competency) continue;
    const candidateId = people[story.candidate];
    const submittedAt = new Date(today.getTime() - story.daysAgo * 86_400_000 + (n % 5) * 37 * 60_000);
    const gap = Math.max(HOUR, Math.min(26 * HOUR, (Date.now() - HOUR - submittedAt.getTime()) / (story.steps.length + 1)));
    await db.transaction((tx) =>
      writeSignoffStory(tx, {
        cohortId,
        candidateId,
        competency,
        reflection: story.reflection,
        submittedAt,
        evidence: citable.get(candidateId)?.length ? [pickEvidence(citable.get(candidateId) ?? [], n)] : [],
        steps: story.steps.map((step, i) => ({ kind: step.kind as StoryStep['kind'], by: people[step.by], rating: step.rating ?? null, note: step.note ?? null, at: new Date(Math.min(Date.now() - HOUR, submittedAt.getTime() + (i + 1) * gap)) })),
      }),
    );
  }
  await seedAssessments(db, world);
}

/** What each candidate could cite from what the stage modules seeded (their live notes, the registers they are
 * marked on), as a sign-off form offers it: a demo request cites something real, never an id that resolves to nothing. */
async function citableEvidence(db: Db, world: DemoWorld, candidates: string[]): Promise<Map<string, { refType: string; refId: string }[]>> {
  const out = new Map<string, { refType: string; refId: string }[]>();
  for (const candidateId of candidates) {
    const found: { refType: string; refId: string }[] = [];
    for (const m of world.modules) {
      for (const [refType, kind] of Object.entries(m.evidenceKinds ?? {})) {
        for (const c of (await kind.choices?.(db, { cohortId: world.cohortId, candidateId })) ?? []) found.push({ refType, refId: c.refId });
      }
    }
    out.set(candidateId, found);
  }
  return out;
}

/** The `n`th story's evidence: the candidate's citable items in turn. */
function pickEvidence(items: { refType: string; refId: string }[], n: number) {
  const item = items[n % items.length];
  return refEvidence(item.refType, item.refId);
}

async function seedAssessments(db: Db, world: DemoWorld) {
  const { people, cohortId } = world;
  const stage = (key: string) => world.stages.find((s) => s.moduleKey === key);
  const knowledge = await loadRubric(db, 'knowledge-module');
  const practical = await loadRubric(db, 'practical-session');
  const plan: { rubric: typeof knowledge; candidate: string; assessor: string; kind: 'mentor' | 'shadow' | 'self'; stageKey: string; levels: number[]; comment: string }[] = [
    { rubric: knowledge, candidate: 'candidate2', assessor: 'mentor1', kind: 'mentor', stageKey: 'projects-week', levels: [2, 2, 1, 2, 1], comment: 'Accurate and respectful; build in a check of learning.' },
    { rubric: knowledge, candidate: 'candidate3', assessor: 'mentor1', kind: 'mentor', stageKey: 'co-delivery', levels: [3, 2, 2, 2, 2], comment: 'Ready to deliver this module.' },
    { rubric: knowledge, candidate: 'candidate3', assessor: 'mentor2', kind: 'mentor', stageKey: 'co-delivery', levels: [2, 2, 2, 3, 1], comment: 'Strong engagement; checking understanding still developing.' },
    { rubric: knowledge, candidate: 'candidate3', assessor: 'candidate3', kind: 'self', stageKey: 'co-delivery', levels: [2, 2, 1, 2, 1], comment: 'I rushed the end.' },
    { rubric: practical, candidate: 'candidate3', assessor: 'mentor2', kind: 'mentor', stageKey: 'co-delivery', levels: [2, 2, 2, 1, 2], comment: 'Safe session; coach each pair more.' },
  ];
  for (const p of plan) {
    const s = stage(p.stageKey);
    const levels = Object.fromEntries(p.rubric.criteria.map((c, i) => [c.id, p.levels[i]]));
    const score = scoreAssessment(p.rubric, levels);
    await db.transaction(async (tx) => {
      const [a] = await tx
        .insert(assessments)
        .values({ rubricId: p.rubric.id, cohortId, candidateId: people[p.candidate], assessorId: people[p.assessor], kind: p.kind, contextType: 'stage', contextId: s?.id ?? p.stageKey, cohortStageId: s?.id ?? null, comment: p.comment, percent: score.percent, passed: score.passed, mustPassFailed: score.mustPassFailed })
        .returning();
      await tx.insert(assessmentScores).values(p.rubric.criteria.map((c) => ({ assessmentId: a.id, criterionId: c.id, levelPosition: levels[c.id] })));
    });
  }
}
