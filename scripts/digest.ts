/** `npx tsx scripts/digest.ts`: sends today's at-risk digest to every L&D lead (run it daily, e.g. from cron). */
import { createApp } from '../server/app';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db';
import { sendAtRiskDigest } from '../server/readiness/digest';

async function main() {
  const config = loadConfig(process.env, { serving: false });
  const database = await openDatabase(config);
  const cadre = await createApp({ database, config });
  try {
    const result = await sendAtRiskDigest(cadre.ctx);
    console.log(`At-risk digest: ${result.sent} sent to ${result.leads} leads (${result.skippedAlreadySent} already had today's).`);
  } finally {
    await cadre.close();
    await database.close();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
