/** Demo impact: Harbourside's first cohort (finished last year; its two graduates now deliver the course), fourteen
 * months of incident counts from three services (the third opened later; one month corrected), and the graduates'
 * courses with learners' before/after answers — so the impact view is filled in on `npm start`. Deterministic. */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { asc, eq } from 'drizzle-orm';
import type { Config } from '../server/config';
import type { Db } from '../server/db';
import { cohortMembers, cohortStages, impactCourses, impactIncidentCounts, impactResponseRatings, impactResponses, impactServices, memberships, users } from '../server/db/tables';
import { createCohort } from '../server/cohorts/commands';
import { cohortCurriculum } from '../server/impact/programme';
import { buildRegistry } from '../server/modules/loader';
import type { StageManifest } from '../server/modules/types';
import type { StageRow } from '../server/progression/types';
import type { FileStorage } from '../server/storage';
import { seedGraduateRecords } from './graduates';

/** What the impact seed needs from the demo. */
export type ImpactSeedWorld = { clientId: string; templateId: string; people: Record<string, string>; passwordHash: string; today: Date; storage: FileStorage };

/** The graduates' logins, printed at start with the others. */
export const IMPACT_LOGINS = [
  { email: 'trainer1@cadre.test', role: 'New trainer (first cohort) — records courses' },
  { email: 'trainer2@cadre.test', role: 'New trainer (first cohort) — records courses' },
];

const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const monthStart = (today: Date, back: number) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 1));
const daysIn = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();

/** Monthly counts, oldest first (14 months back to last month): the programme starts 11 months ago. */
const SERVICES: { name: string; beds: number; from: number; restraints: number[]; prone: number[]; aggression: number[] }[] = [
  {
    name: 'Harbour House',
    beds: 18,
    from: 0,
    restraints: [14, 15, 13, 13, 12, 12, 10, 9, 8, 7, 7, 6, 5, 5],
    prone: [4, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1, 0, 1, 0],
    aggression: [31, 33, 30, 30, 29, 28, 27, 26, 25, 24, 25, 23, 22, 22],
  },
  {
    name: 'Quayside Lodge',
    beds: 12,
    from: 0,
    restraints: [8, 9, 8, 7, 8, 7, 6, 5, 5, 4, 4, 3, 3, 3],
    prone: [2, 3, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0],
    aggression: [18, 19, 17, 18, 17, 16, 16, 15, 14, 14, 13, 13, 12, 12],
  },
  // Opened five months ago: a service added later.
  { name: 'The Mews', beds: 8, from: 9, restraints: [3, 2, 2, 2, 1], prone: [0, 0, 0, 0, 0], aggression: [9, 8, 8, 7, 7] },
];

const CHANGES = [
  'Give the person space and time before I do anything else.',
  'Notice the early signs and change what is around the person, not just what I say.',
  'Offer choices instead of giving instructions when someone is upset.',
  'Step back and let one person lead, so the person is not crowded.',
  'Never go to the floor. If a hold is ever needed, keep it short and keep talking.',
  'Check in with my colleague after an incident and write down what we learned.',
  'Ask the person what helps them, and put it in their plan.',
  'Use a calm, low voice and keep my hands visible.',
  'Leave, not win: breakaway and get help instead of holding on.',
  'Speak up if I see a hold that does not look safe.',
];

/** A small deterministic number from a string (the same demo every time). */
function pick(key: string, n: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % n;
}

async function seedIncidents(db: Db, world: ImpactSeedWorld): Promise<void> {
  for (const s of SERVICES) {
    const [service] = await db.insert(impactServices).values({ organisationId: world.clientId, name: s.name, createdAt: monthStart(world.today, 14 - s.from) }).returning();
    const rows = s.restraints.map((restraints, i) => {
      const back = 14 - s.from - i;
      const month = monthStart(world.today, back);
      const occupancy = 0.86 + pick(`${s.name}${i}occ`, 10) / 100;
      return {
        organisationId: world.clientId,
        serviceId: service.id,
        month: iso(month),
        version: 1,
        aggression: s.aggression[i],
        restraints,
        proneRestraints: s.prone[i],
        seclusions: i < 5 ? pick(`${s.name}${i}sec`, 3) : pick(`${s.name}${i}sec`, 4) === 0 ? 1 : 0,
        staffInjuries: Math.max(0, Math.round(restraints / 5) - pick(`${s.name}${i}si`, 2)),
        personInjuries: Math.max(0, Math.round(restraints / 6) - pick(`${s.name}${i}pi`, 2)),
        occupiedBedDays: Math.round(s.beds * daysIn(month) * occupancy),
        source: 'import' as 'form' | 'import',
        recordedBy: world.people.lead,
        recordedAt: new Date(month.getTime() + (daysIn(month) + 6) * DAY),
      };
    });
    if (s.name === 'Harbour House') {
      // Six months ago was first reported with a duplicate restraint (version 1); the lead corrected it a week later.
      const real = rows[8];
      rows[8] = { ...real, restraints: real.restraints + 1 };
      rows.push({ ...real, version: 2, source: 'form', recordedAt: new Date(real.recordedAt.getTime() + 7 * DAY) });
    }
    await db.insert(impactIncidentCounts).values(rows.map((r) => ({ ...r, note: r.version === 2 ? 'One restraint was reported twice; the duplicate was removed after review.' : null })));
  }
}

/** Seeds the first cohort (run by the modules' own seeds, its two candidates past every stage). */
async function seedFirstCohort(db: Db, config: Config, modules: StageManifest[], world: ImpactSeedWorld) {
  const person = async (email: string, name: string) => {
    const [u] = await db.insert(users).values({ email, name, passwordHash: world.passwordHash, status: 'active' }).returning();
    await db.insert(memberships).values({ userId: u.id, organisationId: world.clientId, role: 'candidate' });
    return u.id;
  };
  const trainer1 = await person('trainer1@cadre.test', 'Maya Patel');
  const trainer2 = await person('trainer2@cadre.test', 'Lewis Grant');
  const start = new Date(world.today.getTime() - 330 * DAY);
  const cohort = await createCohort(db, world.people.admin, { organisationId: world.clientId, name: 'Harbourside trainers — first cohort', programmeTemplateId: world.templateId, startsOn: iso(start), endsOn: iso(new Date(start.getTime() + 75 * DAY)) });
  await db.insert(cohortMembers).values([
    { cohortId: cohort.id, userId: world.people.mentor1, role: 'mentor' },
    { cohortId: cohort.id, userId: world.people.mentor2, role: 'mentor' },
    { cohortId: cohort.id, userId: world.people.lead, role: 'lead' },
    { cohortId: cohort.id, userId: trainer1, role: 'candidate' },
    { cohortId: cohort.id, userId: trainer2, role: 'candidate' },
  ]);
  const stages = (await db.select().from(cohortStages).where(eq(cohortStages.cohortId, cohort.id)).orderBy(asc(cohortStages.position))) as StageRow[];
  // Both are past the last stage; only staff handles are passed, so no module seeds anything for the current cohort's people.
  const reached = { [trainer1]: stages.length + 1, [trainer2]: stages.length + 1 };
  const staff = { admin: world.people.admin, mentor1: world.people.mentor1, mentor2: world.people.mentor2, lead: world.people.lead };
  const byKey = new Map(modules.map((m) => [m.key, m]));
  for (const stage of stages) await byKey.get(stage.moduleKey)?.seed?.({ db, config, storage: world.storage, cohortId: cohort.id, stage, people: staff, reached });
  await seedGraduateRecords(db, { cohortId: cohort.id, startsOn: start, frameworkId: cohort.frameworkId, graduates: [trainer1, trainer2], mentor: world.people.mentor1, countersigner: world.people.mentor2 });
  return { cohortId: cohort.id, trainers: [trainer1, trainer2] };
}

/** Courses the graduates delivered, from two months after the cohort started, each with anonymous answers. */
async function seedCourses(db: Db, modules: StageManifest[], world: ImpactSeedWorld, first: { cohortId: string; trainers: string[] }) {
  const curriculum = await cohortCurriculum({ db, registry: buildRegistry(modules) }, first.cohortId);
  const offered = [...curriculum.knowledge, ...curriculum.practical];
  const outcomes = curriculum.outcomes.slice(0, 5);
  const venues = ['Harbour House training room', 'Quayside Lodge lounge', 'Harbourside Care training suite, Bristol'];
  const plan = [250, 228, 200, 172, 143, 115, 86, 58, 30, 12];
  // Three statements for every course, response and rating (ids made here, so rows can name each other).
  const courses: (typeof impactCourses.$inferInsert)[] = [];
  const responses: (typeof impactResponses.$inferInsert)[] = [];
  const ratings: (typeof impactResponseRatings.$inferInsert)[] = [];
  for (const [i, daysBack] of plan.entries()) {
    const trainerId = first.trainers[i % 2];
    const attendees = 8 + pick(`att${i}`, 7);
    const courseId = randomUUID();
    courses.push({
      id: courseId,
      organisationId: world.clientId,
      cohortId: first.cohortId,
      trainerId,
      coTrainerId: i % 3 === 0 ? first.trainers[(i + 1) % 2] : null,
      deliveredOn: iso(new Date(world.today.getTime() - daysBack * DAY)),
      venue: venues[i % venues.length],
      modules: offered.filter((_, k) => (k + i) % 2 === 0 || k >= offered.length - 2),
      outcomes,
      attendees,
      register: Array.from({ length: attendees }, (_, k) => `HC-${String(100 + i * 20 + k)}`),
      registerMode: 'codes',
      durationMinutes: i % 2 ? 360 : 420,
      questionnaireCode: randomBytes(16).toString('base64url'),
      createdBy: trainerId,
      createdAt: new Date(world.today.getTime() - (daysBack - 1) * DAY),
    });
    const answered = Math.max(3, attendees - 2 - pick(`ans${i}`, 4));
    for (let r = 0; r < answered; r++) {
      const key = `${i}-${r}`;
      const responseId = randomUUID();
      responses.push({
        id: responseId,
        courseId,
        deviceHash: createHash('sha256').update(`demo-device-${key}`).digest('hex'),
        safetyAnswer: pick(`safe${key}`, 10) === 0 ? 'unsure' : 'release',
        changeText: pick(`txt${key}`, 3) === 0 ? null : CHANGES[pick(`chg${key}`, CHANGES.length)],
        createdAt: new Date(world.today.getTime() - daysBack * DAY + (16 * 60 + r) * 60_000),
      });
      outcomes.forEach((_, o) => {
        const before = 1 + pick(`b${key}${o}`, 3);
        ratings.push({ responseId, position: o + 1, before, after: Math.min(5, before + 1 + pick(`a${key}${o}`, 3)) });
      });
    }
  }
  await db.insert(impactCourses).values(courses);
  await db.insert(impactResponses).values(responses);
  await db.insert(impactResponseRatings).values(ratings);
}

/** Seeds the impact demo (call after the current cohort is seeded). */
export async function seedImpactDemo(db: Db, config: Config, modules: StageManifest[], world: ImpactSeedWorld): Promise<void> {
  const first = await seedFirstCohort(db, config, modules, world);
  await seedIncidents(db, world);
  await seedCourses(db, modules, world, first);
}
