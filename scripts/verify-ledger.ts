/**
 * `npm run verify-ledger`: the full check of the record in the configured database — the ledger's hash chain, then
 * every table the app shows (sign-offs, waivers, completion marks, modules' records) against the chain, both ways.
 * Exit 0 when all agree; 1 naming the first broken entry or disagreeing row; 2 when the check could not run.
 */
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db';
import { ledgerProjections } from '../server/ledger/registry';
import { verifyRecord } from '../server/ledger/verify';
import { discoverModules, validateManifests } from '../server/modules/loader';

async function main(): Promise<number> {
  const config = loadConfig(process.env, { serving: false });
  const modules = discoverModules();
  validateManifests(modules);
  const database = await openDatabase(config);
  try {
    const result = await verifyRecord(database.db, ledgerProjections(modules));
    const entries = `${result.count} ${result.count === 1 ? 'entry' : 'entries'}`;
    if (result.ok) {
      const rows = result.checked.map((c) => `${c.rows} ${c.name}`).join(', ');
      console.log(`Ledger OK: ${entries} verified; last hash ${result.lastHash}. Tables agree with the ledger: ${rows}.`);
      return 0;
    }
    if (result.brokenAt) console.error(`Ledger BROKEN at entry ${result.brokenAt.seq}: ${result.brokenAt.reason}. ${entries} before it verified.`);
    else console.error(`Records DISAGREE with the ledger: ${result.summary.replace(/^NOT VERIFIED: /, '')} The chain itself verified (${entries}).`);
    return 1;
  } finally {
    await database.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(`verify-ledger failed: ${err.message}`);
    process.exit(2);
  });
