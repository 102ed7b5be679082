import { seedLarge } from '../../scripts/seed-large';
import { openTestDatabase, type TestDatabase } from '../support/db';
import { buildOrganisation } from '../support/factories';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.drop());

describe('npm run seed:large', () => {
  it('refuses a database that already has data, saying how to go on', async () => {
    await buildOrganisation(database.db, { name: 'Existing client' });
    await expect(seedLarge(database)).rejects.toThrow('Refusing to seed: the database already has data. Use an empty database, or pass --force to add the large data set anyway.');
    const left = await database.query('select count(*)::int as n from cohorts');
    expect(left.rows[0].n).toBe(0);
  });
});
