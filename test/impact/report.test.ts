/** The impact section of the inspector report (rendered by pdfkit, read back with poppler's pdftotext and drawn to PNG
 * with pdftoppm) and the impact CSV (UTF-8 with a BOM, formula-guarded), both from the hand-computed fixture. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { startTestApp, type TestApp } from '../support/app';
import type { World } from '../support/factories';
import { EXPECTED_COMPARISON, loadFixture } from './fixture';
import { buildImpactWorld } from './world';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp();
  w = await buildImpactWorld(t);
  await loadFixture(t, w);
});
afterAll(() => t.stop());

/** GETs `url` and collects the body as bytes. */
const bytes = (agent: ReturnType<TestApp['anonymous']>, url: string) =>
  agent
    .get(url)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

describe('the inspector report’s impact section', () => {
  it('prints the comparison, milestones, the monthly table with its gap, courses and learners, and draws the chart', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const res = await bytes(lead, `/cohorts/${w.a.cohort.id}/report.pdf`);
    expect(res.status).toBe(200);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-report-'));
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, res.body as Buffer);
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())?.[1]);
    const pageText = (n: number) => execFileSync('pdftotext', ['-f', String(n), '-l', String(n), '-layout', file, '-']).toString();
    const texts = Array.from({ length: pages }, (_, i) => pageText(i + 1));
    const first = texts.findIndex((x) => x.includes('Impact: is restraint becoming a last resort at Client A?'));
    expect(first).toBeGreaterThan(0); // its own section, after the readiness pages
    const section = texts.slice(first).join('\n');
    const flat = section.replace(/\s+/g, ' ');
    expect(flat).toContain(EXPECTED_COMPARISON.replace(/\s+/g, ' '));
    expect(flat).toContain('1. 2025-03-10 — Spring cohort started');
    expect(flat).toContain('2. 2025-04-28 — 1 trainer certified (Spring cohort)');
    expect(flat).toContain('3. 2025-05-20 — First course delivered by a new trainer');
    expect(section).toMatch(/Mar 2025\s+—\s+no data\s+no data/);
    expect(section).toMatch(/Jun 2025\s+2\s+8\s+6\s+1\s+0\s+1\s+0\s+3/);
    expect(flat).toContain('1 month was corrected after first being recorded');
    expect(flat).toContain('1 new trainer has delivered 1 course to 11 frontline staff since May 2025');
    expect(flat).toContain('1 learner answered the questionnaire after 1 course.');
    expect(flat).toContain('Explains why restraint is a last resort 1 2 5 +3');
    // The ledger verification still closes the report, after the impact section.
    expect(texts.slice(first).some((x) => x.includes('Ledger verification'))).toBe(true);

    // Draw the section's first page and look for the chart: the blue restraints line and the brown milestone lines.
    execFileSync('pdftoppm', ['-f', String(first + 1), '-l', String(first + 1), '-r', '60', '-png', file, path.join(dir, 'impact')]);
    const pngFile = path.join(dir, `impact-${String(first + 1).padStart(String(pages).length, '0')}.png`);
    const png = PNG.sync.read(readFileSync(pngFile));
    let blue = 0;
    let brown = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (b > 90 && r < 70 && g < 110 && b - r > 50) blue += 1;
      if (r > 90 && r < 160 && g > 50 && g < 110 && b < 50) brown += 1;
    }
    expect(blue).toBeGreaterThan(30);
    expect(brown).toBeGreaterThan(10);
  });
});

describe('the impact CSV', () => {
  it('is UTF-8 with a BOM, carries every table and learners’ words, and guards formulas', async () => {
    const lead = await t.loginAs(w.a.lead.email);
    const res = await bytes(lead, `/organisations/${w.a.org.id}/impact.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="client-a-impact.csv"');
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8').slice(1);
    const lines = text.split('\r\n');
    expect(lines).toContain('2025-03,,,,,,,,,,,Spring cohort started');
    expect(lines).toContain('2025-06,2,8,6,1,0,1,0,,3,0.5,');
    expect(lines.some((l) => /^2025-06,Harbour House,1,No — corrected,6,7,2,0,0,0,,/.test(l))).toBe(true);
    expect(lines.some((l) => /^2025-06,Harbour House,2,Yes,6,4,1,0,0,0,,/.test(l))).toBe(true);
    expect(lines).toContain(`2025-05-20,${w.a.candidate.name},"'=HYPERLINK(""x"") — je parlerai plus doucement"`);
    expect(text).toContain('does not show that the programme caused the change');
    const other = await t.loginAs(w.b.lead.email);
    await other.get(`/organisations/${w.a.org.id}/impact.csv`).expect(404);
  });
});
