/** `npm run verify-ledger`: recomputes the sign-off ledger's hash chain in the configured database; exit 1 if broken. */
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db';
import { verifyLedger } from '../server/ledger';

async function main(): Promise<number> {
  const config = loadConfig(process.env, { serving: false });
  const database = await openDatabase(config);
  try {
    const result = await verifyLedger(database.db);
    if (result.ok) {
      console.log(`Ledger OK: ${result.count} ${result.count === 1 ? 'entry' : 'entries'} verified; last hash ${result.lastHash}`);
      return 0;
    }
    console.error(`Ledger BROKEN at entry ${result.brokenAt?.seq}: ${result.brokenAt?.reason}. ${result.count} ${result.count === 1 ? 'entry' : 'entries'} before it verified.`);
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
