/** A first start answers while it writes the demo (server/index.ts, holdUntil in server/app.ts): the login page and
 * the probes answer at once, and anything else — a login above all — waits until the data is in. */
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, TEST_PASSWORD, type World } from '../support/factories';

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildWorld(t.database.db);
});
afterAll(() => t.stop());

describe('while a first start writes its demo', () => {
  it('shows the login page and says "preparing" at once, and holds a login until the data is in', async () => {
    let finish = () => {};
    const writing = new Promise<void>((resolve) => (finish = resolve));
    t.cadre.holdUntil(writing);

    const page = await request(t.cadre.app).get('/login');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Log in to Cadre');
    expect((await request(t.cadre.app).get('/healthz')).status).toBe(200);
    const ready = await request(t.cadre.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('preparing');

    let answered = false;
    const login = request(t.cadre.app)
      .post('/api/v1/session')
      .send({ email: w.a.candidate.email, password: TEST_PASSWORD })
      .then((res) => {
        answered = true;
        return res;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);

    finish();
    const res = await login;
    expect(res.status).toBe(200);
    expect((await request(t.cadre.app).get('/readyz')).status).toBe(200);
  });
});
