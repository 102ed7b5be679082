/** `npm run seed`: seeds the demo into the configured database, which must be empty and not production. */
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db';
import { discoverModules, validateManifests } from '../server/modules/loader';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../seed/demo';

async function main() {
  const config = loadConfig(process.env, { serving: false });
  const database = await openDatabase(config);
  try {
    const modules = discoverModules();
    validateManifests(modules);
    await seedDemo(database.db, config, modules);
    console.log(`Demo seeded. Logins (password "${DEMO_PASSWORD}"):`);
    for (const l of DEMO_LOGINS) console.log(`  ${l.email.padEnd(24)} ${l.role}`);
  } finally {
    await database.close();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
