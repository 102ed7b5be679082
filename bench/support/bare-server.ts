/** The bare baseline, in its own process: express answering GET /page with a small fixed HTML page. Prints READY <url>. */
import { createServer } from 'node:http';
import express from 'express';

const app = express();
const html = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Progress</title></head><body><main><h1>Your progress</h1>${'<li>Stage — open</li>'.repeat(6)}</main></body></html>`;
app.get('/page', (_req, res) => {
  res.type('html').send(html);
});
const server = createServer(app);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`READY http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/page\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
