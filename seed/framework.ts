/** Seeds the programme's competency framework (delivery and trainer competencies) and the two demo rubrics. */
import type { Db } from '../server/db';
import { competencies, competencyAreas, competencyFrameworks } from '../server/db/tables';
import { createRubric } from '../server/rubrics/commands';
import type { RubricInput } from '../server/rubrics/schemas';

/** The framework's areas and competencies; `safety` marks those needing a countersignature. */
export const FRAMEWORK_AREAS: { name: string; description: string; items: { code: string; name: string; description: string; safety?: boolean }[] }[] = [
  {
    name: 'Delivery',
    description: 'What a trainer teaches: keeping people safe with the least restrictive response.',
    items: [
      { code: 'D1', name: 'Non-escalation', description: 'Teaches how to prevent distress building: reading early signs, meeting needs, respectful communication.' },
      { code: 'D2', name: 'De-escalation', description: 'Teaches verbal and non-verbal de-escalation, space and time, offering choices.' },
      { code: 'D3', name: 'Crisis management', description: 'Teaches a calm team response when a crisis happens, and post-incident support and learning.' },
      { code: 'D4', name: 'Self-protection and breakaway', description: 'Teaches and demonstrates breakaway techniques safely and accurately.', safety: true },
      { code: 'D5', name: 'Team-based holding without pain or floor holds', description: 'Teaches team holds as a last resort, without pain compliance or floor holds, monitoring wellbeing throughout.', safety: true },
      { code: 'D6', name: 'Legal and guidance knowledge', description: 'Explains the law, guidance and reporting duties around restrictive practice accurately.' },
    ],
  },
  {
    name: 'Trainer',
    description: 'How a trainer teaches: running sessions that change practice.',
    items: [
      { code: 'T1', name: 'Session timing', description: 'Keeps a session to time without rushing the essentials.' },
      { code: 'T2', name: 'Session design', description: 'Plans a session with clear outcomes, activities and checks of learning.' },
      { code: 'T3', name: 'Managing a small group', description: 'Keeps a small group engaged, included and on task.' },
      { code: 'T4', name: 'Motivating learners', description: 'Connects the content to learners’ own work and values.' },
      { code: 'T5', name: 'Giving feedback', description: 'Gives specific, kind, usable feedback on practice.' },
      { code: 'T6', name: 'Assessing learners’ attainment', description: 'Judges fairly whether each learner has met the outcomes, and records it.' },
      { code: 'T7', name: 'Reflective practice', description: 'Reflects on own delivery and acts on what was learned.' },
      { code: 'T8', name: 'Keeping physical-skills practice safe', description: 'Supervises physical practice: warm-up, space, pairing, stopping practice when unsafe.', safety: true },
    ],
  },
];

const LEVELS = [
  { label: 'Not yet', points: 0 },
  { label: 'Developing', points: 1 },
  { label: 'Secure', points: 2 },
  { label: 'Exemplary', points: 3 },
];

/** The two demo rubrics. */
export const DEMO_RUBRICS: RubricInput[] = [
  {
    key: 'knowledge-module',
    name: 'Delivering a knowledge module',
    description: 'A candidate delivers a classroom module (e.g. the law and guidance, or understanding distress).',
    passThreshold: 60,
    levels: LEVELS,
    criteria: [
      { title: 'Accurate content', weight: 2, mustPass: true, passLevel: 2, descriptors: ['Errors in law or guidance left uncorrected.', 'Mostly accurate; some points vague.', 'Accurate and current throughout.', 'Accurate, current and linked to local policy and real cases.'] },
      { title: 'Dignity and respectful language', weight: 1, mustPass: true, passLevel: 2, descriptors: ['Language that labels or blames people.', 'Mostly respectful; occasional slips.', 'Consistently person-centred language.', 'Models and invites person-centred language from learners.'] },
      { title: 'Session timing', weight: 1, mustPass: false, passLevel: 2, descriptors: ['Over-ran badly or cut essentials.', 'Close to time; rushed one part.', 'To time, essentials covered.', 'To time, with pace adapted to the group.'] },
      { title: 'Engaging the group', weight: 1, mustPass: false, passLevel: 2, descriptors: ['Lecture with little interaction.', 'Some questions; a few learners dominate.', 'Varied activities; most learners take part.', 'Every learner takes part and contributes examples.'] },
      { title: 'Checking understanding', weight: 1, mustPass: false, passLevel: 2, descriptors: ['No check of learning.', 'Asks “any questions?” only.', 'Checks each outcome with questions or tasks.', 'Checks each outcome and adapts when learners struggle.'] },
    ],
  },
  {
    key: 'practical-session',
    name: 'Co-delivering a practical session',
    description: 'A candidate co-delivers a physical-skills session with a mentor.',
    passThreshold: 65,
    levels: LEVELS,
    criteria: [
      { title: 'Keeping practice safe', weight: 2, mustPass: true, passLevel: 2, descriptors: ['Unsafe practice not stopped.', 'Safe but warm-up or spacing missed.', 'Warm-up, space and pairing managed; stops unsafe practice.', 'Anticipates risks and adapts for each learner.'] },
      { title: 'Technique without pain or floor holds', weight: 2, mustPass: true, passLevel: 2, descriptors: ['Demonstrates or allows pain-based or floor techniques.', 'Correct technique with some inaccurate detail.', 'Accurate technique, no pain compliance, wellbeing monitored.', 'Accurate, explains why each step protects dignity and safety.'] },
      { title: 'Demonstration', weight: 1, mustPass: false, passLevel: 2, descriptors: ['Unclear demonstration.', 'Clear but too fast.', 'Clear, staged and visible to all.', 'Clear, staged, and checked from several angles.'] },
      { title: 'Coaching and feedback', weight: 1, mustPass: false, passLevel: 2, descriptors: ['No individual feedback.', 'General feedback only.', 'Specific feedback to each pair.', 'Specific feedback; learners correct each other.'] },
      { title: 'Debrief and reflection', weight: 1, mustPass: false, passLevel: 2, descriptors: ['No debrief.', 'Brief summary.', 'Debrief links practice to restraint as a last resort.', 'Learners reflect on their own workplace.'] },
    ],
  },
];

/** Seeds the framework and rubrics; returns the framework id. */
export async function seedFrameworkAndRubrics(db: Db): Promise<{ frameworkId: string | null }> {
  const [framework] = await db
    .insert(competencyFrameworks)
    .values({
      name: 'Restraint reduction trainer competencies',
      description: 'What an in-house trainer must show before delivering alone: what they teach (Delivery) and how they teach (Trainer).',
      ratingScale: { levels: ['Not yet', 'Developing', 'Competent', 'Confident'], competentFrom: 2 },
    })
    .returning();
  let position = 0;
  for (const [i, area] of FRAMEWORK_AREAS.entries()) {
    const [row] = await db.insert(competencyAreas).values({ frameworkId: framework.id, position: i + 1, name: area.name, description: area.description }).returning();
    await db.insert(competencies).values(area.items.map((c) => ({ frameworkId: framework.id, areaId: row.id, code: c.code, name: c.name, description: c.description, safetyCritical: !!c.safety, position: ++position })));
  }
  for (const rubric of DEMO_RUBRICS) await createRubric(db, null, rubric);
  return { frameworkId: framework.id };
}
