/** The demo: a training provider, a 220-staff care provider, one cohort of three candidates at different points. */
import { asc, eq, sql } from 'drizzle-orm';
import type { Config } from '../server/config';
import type { Db } from '../server/db';
import { cohortMembers, cohortStages, memberships, organisations, users } from '../server/db/tables';
import { hashPassword } from '../server/auth/passwords';
import { createCohort } from '../server/cohorts/commands';
import type { StageManifest } from '../server/modules/types';
import type { FileStorage } from '../server/storage';
import { createStorage } from '../server/storage/create';
import { seedProgrammeTemplate, seedRefresherTemplate } from './programme';
import { seedDemoExtras, seedFrameworkAndRubrics } from './hooks';
import { IMPACT_LOGINS, seedImpactDemo } from './impact';

/** The password every demo login uses. */
export const DEMO_PASSWORD = 'cadre-demo';

/** The demo logins, printed at start. */
export const DEMO_LOGINS = [
  { email: 'admin@cadre.test', role: 'Admin (training provider)' },
  { email: 'mentor1@cadre.test', role: 'Mentor' },
  { email: 'mentor2@cadre.test', role: 'Mentor' },
  { email: 'lead@cadre.test', role: 'L&D lead (client)' },
  { email: 'candidate1@cadre.test', role: 'Candidate — in pre-load' },
  { email: 'candidate2@cadre.test', role: 'Candidate — in projects week' },
  { email: 'candidate3@cadre.test', role: 'Candidate — in co-delivery' },
  ...IMPACT_LOGINS,
];

/** True when the database holds no organisations (the only time the demo may be seeded automatically). */
export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(organisations);
  return row.n === 0;
}

/** Refuses to seed production or a database with data in it. */
export async function assertSeedable(db: Db, config: Config): Promise<void> {
  if (config.env === 'production') throw new Error('Refusing to seed demo data with NODE_ENV=production.');
  if (!(await isEmpty(db))) throw new Error('Refusing to seed: the database already has data. Use an empty database (delete DATA_DIR for the embedded one).');
}

/**
 * Seeds the demo; `today` anchors the cohort's dates so the candidates stand at realistic points. One transaction:
 * never half a demo, and (on PGlite) one sync to disk instead of one per statement — first start waits on this.
 */
export async function seedDemo(db: Db, config: Config, modules: StageManifest[], today = new Date(), storage?: FileStorage): Promise<{ cohortId: string }> {
  await assertSeedable(db, config);
  // argon2 runs on the thread pool: hash while the framework and programme are written.
  const hashing = hashPassword(DEMO_PASSWORD);
  hashing.catch(() => undefined);
  // Demo files (the pre-load clips) go where the app keeps its files: UPLOAD_DIR or the S3 bucket.
  const files = storage ?? createStorage(config);
  try {
    return await db.transaction((tx) => seedInside(tx, config, files, modules, today, hashing));
  } finally {
    if (!storage) files.close?.();
  }
}

async function seedInside(db: Db, config: Config, storage: FileStorage, modules: StageManifest[], today: Date, hashing: Promise<string>): Promise<{ cohortId: string }> {
  const { frameworkId } = await seedFrameworkAndRubrics(db);
  const templateId = await seedProgrammeTemplate(db, modules, frameworkId);
  await seedRefresherTemplate(db, modules, templateId, frameworkId);
  const hash = await hashing;
  const [provider] = await db.insert(organisations).values({ name: 'Calm Response Training', kind: 'provider', sector: 'Training provider' }).returning();
  const [client] = await db
    .insert(organisations)
    .values({ name: 'Harbourside Care', kind: 'client', sector: 'Residential learning-disability and mental-health service', staffCount: 220 })
    .returning();
  const person = async (email: string, name: string, org: string, role: 'admin' | 'mentor' | 'lead' | 'candidate') => {
    const [u] = await db.insert(users).values({ email, name, passwordHash: hash, status: 'active' }).returning();
    await db.insert(memberships).values({ userId: u.id, organisationId: org, role });
    return u.id;
  };
  const people: Record<string, string> = {
    admin: await person('admin@cadre.test', 'Alex Morgan', provider.id, 'admin'),
    mentor1: await person('mentor1@cadre.test', 'Priya Shah', provider.id, 'mentor'),
    mentor2: await person('mentor2@cadre.test', 'Tom Okafor', provider.id, 'mentor'),
    lead: await person('lead@cadre.test', 'Jo Bennett', client.id, 'lead'),
    candidate1: await person('candidate1@cadre.test', 'Sam Taylor', client.id, 'candidate'),
    candidate2: await person('candidate2@cadre.test', 'Rosa Alvarez', client.id, 'candidate'),
    candidate3: await person('candidate3@cadre.test', 'Daniel Kim', client.id, 'candidate'),
  };
  // Candidate 3 is in co-delivery (day ~57 of the programme): the cohort started 57 days ago.
  const start = new Date(today.getTime() - 57 * 86_400_000).toISOString().slice(0, 10);
  const end = new Date(today.getTime() + 20 * 86_400_000).toISOString().slice(0, 10);
  const cohort = await createCohort(db, people.admin, {
    organisationId: client.id,
    name: 'Harbourside trainers — spring cohort',
    programmeTemplateId: templateId,
    startsOn: start,
    endsOn: end,
  });
  await db.insert(cohortMembers).values([
    { cohortId: cohort.id, userId: people.mentor1, role: 'mentor' },
    { cohortId: cohort.id, userId: people.mentor2, role: 'mentor' },
    { cohortId: cohort.id, userId: people.lead, role: 'lead' },
    { cohortId: cohort.id, userId: people.candidate1, role: 'candidate' },
    { cohortId: cohort.id, userId: people.candidate2, role: 'candidate' },
    { cohortId: cohort.id, userId: people.candidate3, role: 'candidate' },
  ]);
  const stages = await db.select().from(cohortStages).where(eq(cohortStages.cohortId, cohort.id)).orderBy(asc(cohortStages.position));
  const reached = { [people.candidate1]: 1, [people.candidate2]: 4, [people.candidate3]: 5 };
  const byKey = new Map(modules.map((m) => [m.key, m]));
  for (const stage of stages) {
    const seed = byKey.get(stage.moduleKey)?.seed;
    if (seed) await seed({ db, config, storage, cohortId: cohort.id, stage, people, reached });
  }
  await seedDemoExtras(db, { cohortId: cohort.id, people, reached, stages, frameworkId, modules });
  await seedImpactDemo(db, config, modules, { clientId: client.id, templateId, people, passwordHash: hash, today, storage });
  return { cohortId: cohort.id };
}
