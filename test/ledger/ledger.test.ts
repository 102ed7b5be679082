/** The tamper-evident ledger: appends chain by hash; editing, reordering or deleting a row is detected, by
 * `verifyLedger` and by `npm run verify-ledger` (scripts/verify-ledger.ts) against a database on disk. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, type Db } from '../../server/db';
import { appendLedger, verifyLedger } from '../../server/ledger';
import { GENESIS_HASH } from '../../server/util/canonical';
import { openTestDatabase, type TestDatabase } from '../support/db';

// Under a loaded CI machine PGlite start-up can pass jest's 5 s default.
jest.setTimeout(60_000);
const run = promisify(execFile);
let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.drop());
beforeEach(() => database.truncateAll());

const actor = '11111111-1111-4111-8111-111111111111';

async function appendThree(db: Db) {
  await db.transaction(async (tx) => {
    for (const [i, kind] of ['signoff.submit', 'signoff.sign_off', 'stage.waived'].entries()) {
      await appendLedger(tx, { kind, actorId: actor, cohortId: null, candidateId: null, subjectType: 'signoff_request', subjectId: `r-${i}`, payload: { n: i, note: 'ok' } });
    }
  });
}

describe('appendLedger and verifyLedger', () => {
  it('numbers entries from 1, chains each to the previous hash and verifies', async () => {
    await appendThree(database.db);
    const rows = (await database.query('select seq, prev_hash, hash, payload from ledger_entries order by seq')).rows as { seq: string; prev_hash: string; hash: string; payload: string }[];
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    expect(rows[0].prev_hash).toBe(GENESIS_HASH);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    expect(rows[0].payload).toBe('{"n":0,"note":"ok"}');
    expect(await verifyLedger(database.db)).toEqual({ ok: true, count: 3, lastHash: rows[2].hash });
  });

  it('verifies an empty ledger', async () => {
    expect(await verifyLedger(database.db)).toEqual({ ok: true, count: 0, lastHash: GENESIS_HASH });
  });

  it('detects a row altered directly in the database and names its sequence number', async () => {
    await appendThree(database.db);
    await database.db.execute(sql`update ledger_entries set payload = '{"n":1,"note":"changed"}' where seq = 2`);
    const result = await verifyLedger(database.db);
    expect(result.ok).toBe(false);
    expect(result.count).toBe(1);
    expect(result.brokenAt).toEqual({ seq: 2, reason: 'its contents do not match its hash (the entry was altered)' });
  });

  it('detects a changed row even when its stored hash is replaced too', async () => {
    await appendThree(database.db);
    await database.db.execute(sql`update ledger_entries set actor_id = '22222222-2222-4222-8222-222222222222', hash = repeat('a', 64) where seq = 1`);
    expect((await verifyLedger(database.db)).brokenAt?.seq).toBe(1);
    await database.db.execute(sql`update ledger_entries set hash = (select hash from ledger_entries where seq = 2) where seq = 1`);
    expect((await verifyLedger(database.db)).brokenAt?.seq).toBe(1);
  });

  it('detects a deleted row', async () => {
    await appendThree(database.db);
    await database.db.execute(sql`delete from ledger_entries where seq = 2`);
    expect((await verifyLedger(database.db)).brokenAt).toEqual({ seq: 2, reason: 'entry 2 is missing (the next entry is 3)' });
  });

  it('detects the end of the ledger being cut off, from the decisions that cite it', async () => {
    await appendThree(database.db);
    await database.query(`insert into users (id, email, name) values ('${actor}', 'ledger@example.test', 'Ledger')`);
    const org = (await database.query(`insert into organisations (name, kind) values ('O', 'client') returning id`)).rows[0].id as string;
    const cohort = (await database.query(`insert into cohorts (organisation_id, name) values ('${org}', 'C') returning id`)).rows[0].id as string;
    const fw = (await database.query(`insert into competency_frameworks (name, rating_scale) values ('F', '{"levels":["a","b"],"competentFrom":1}') returning id`)).rows[0].id as string;
    const area = (await database.query(`insert into competency_areas (framework_id, position, name) values ('${fw}', 1, 'A') returning id`)).rows[0].id as string;
    const comp = (await database.query(`insert into competencies (framework_id, area_id, code, name, position) values ('${fw}', '${area}', 'X', 'X', 1) returning id`)).rows[0].id as string;
    const req = (await database.query(`insert into signoff_requests (cohort_id, candidate_id, competency_id, reflection, status) values ('${cohort}', '${actor}', '${comp}', 'r', 'signed') returning id`)).rows[0].id as string;
    await database.query(`insert into signoff_decisions (request_id, kind, actor_id, ledger_seq) values ('${req}', 'sign_off', '${actor}', 3)`);
    expect((await verifyLedger(database.db)).ok).toBe(true);
    await database.db.execute(sql`delete from ledger_entries where seq = 3`);
    expect((await verifyLedger(database.db)).brokenAt).toEqual({ seq: 3, reason: 'entry 3 is missing: decisions cite entries up to 3 (the end of the ledger was removed)' });
  });

  it('keeps the chain whole when appends race (serialised by an advisory lock)', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        database.db.transaction((tx) => appendLedger(tx, { kind: 'signoff.submit', actorId: actor, cohortId: null, candidateId: null, subjectType: 's', subjectId: String(i), payload: {} })),
      ),
    );
    expect(await verifyLedger(database.db, 3)).toEqual(expect.objectContaining({ ok: true, count: 8 }));
  });
});

describe('npm run verify-ledger', () => {
  // The tables' side of the check (each kind of record edited in the database) is in record.test.ts.
  it('prints OK for an empty ledger, then exit 1 naming the first broken entry after tampering with the chain', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cadre-ledger-'));
    const env = { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SESSION_SECRET: 'test-secret-test-secret-test-secret-0123456789', DATABASE_URL: '' };
    const disk = await openDatabase({ dataDir });
    await disk.close();
    const script = path.resolve(__dirname, '../../scripts/verify-ledger.ts');
    const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
    const ok = await run(tsx, [script], { env });
    expect(ok.stdout.trim()).toMatch(new RegExp(`^Ledger OK: 0 entries verified; last hash ${GENESIS_HASH}\\. Tables agree with the ledger: 0 sign-offs, 0 waivers, 0 completion marks, 0 certificates, 0 eligibility evidence, 0 course observations, 0 observation picks, 0 trainer records, 0 final readiness sign-offs\\.$`));

    const again = await openDatabase({ dataDir });
    await appendThree(again.db);
    await again.query(`update ledger_entries set payload = '{"n":1,"note":"forged"}' where seq = 2`);
    await again.close();
    const broken = await run(tsx, [script], { env }).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/Ledger BROKEN at entry 2: its contents do not match its hash/);
  }, 90_000);
});
