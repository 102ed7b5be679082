/**
 * `npm run storage:migrate`: copies the files in UPLOAD_DIR into the configured S3 bucket (STORAGE=s3, S3_*),
 * verifying each by SHA-256; prints one line per file. Safe to re-run. Exit 0 when every file is in the bucket
 * with the same bytes, 1 when one is not, 2 when it could not run.
 */
import { loadConfig } from '../server/config';
import { createStorage } from '../server/storage/create';
import { migrateUploads } from '../server/storage/migrate';

async function main(): Promise<number> {
  const config = loadConfig(process.env, { serving: false });
  if (config.storage.kind !== 's3') {
    console.error('storage:migrate copies UPLOAD_DIR into an S3 bucket: set STORAGE=s3 and S3_BUCKET (with S3_ENDPOINT or S3_REGION and credentials) first.');
    return 2;
  }
  const target = createStorage(config);
  try {
    await target.check();
    console.log(`Copying ${config.uploadDir} to S3_BUCKET ${config.storage.bucket}…`);
    const files = await migrateUploads(config.uploadDir, target, (f, n, total) => console.log(`[${n}/${total}] ${f.outcome.padEnd(13)} ${f.key} (${f.size} bytes)`));
    const count = (o: string) => files.filter((f) => f.outcome === o).length;
    const bad = count('mismatch');
    console.log(`${files.length} files: ${count('copied')} copied, ${count('copied again')} copied again (they differed), ${count('already there')} already there, ${bad} failed verification.`);
    return bad ? 1 : 0;
  } finally {
    target.close?.();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((err: Error) => {
    console.error(`storage:migrate failed: ${err.message}`);
    process.exit(2);
  });
