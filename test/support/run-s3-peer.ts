/** Runs the tests' S3 peer on its own, for trying Cadre on STORAGE=s3 by hand: `npx tsx test/support/run-s3-peer.ts`
 * prints the environment a node needs (`export …` lines), then serves until interrupted (objects live in memory). */
import { startS3Peer } from './s3-peer';

void startS3Peer().then((peer) => {
  console.log(`# S3 test peer at ${peer.url}, bucket ${peer.bucket}; Ctrl-C stops it (its objects go with it)`);
  for (const [name, value] of Object.entries(peer.env)) console.log(`export ${name}=${value}`);
  const stop = () => void peer.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
});
