/** The inspector report read as an inspector would: poppler's pdftotext page by page (cover, contents, summary, a page
 * per candidate, the integrity statement, the appendix; page numbers) and pdftoppm drawing the summary's coloured
 * table. The ledger entries are real (the world's helpers write through the ledger writers). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { integrityStatement } from '../../server/readiness/pdf';
import { startTestApp, type TestApp } from '../support/app';
import { asBuffer, binary, pdfText } from '../support/pdf';
import { buildReadinessWorld, mark, request, waive, type ReadinessWorld } from './world';

let t: TestApp;
let w: ReadinessWorld;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildReadinessWorld(t.database.db);
});

/** Saves a PDF and reads each page's text (layout kept) and whitespace-flattened. */
function readPdf(pdf: Buffer) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cadre-inspector-'));
  const file = path.join(dir, 'report.pdf');
  writeFileSync(file, pdf);
  const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())?.[1]);
  const pages = Array.from({ length: count }, (_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-layout', file, '-']).toString());
  const flat = pages.map((p) => p.replace(/\s+/g, ' '));
  // In drawing order (each table cell whole, not interleaved with its neighbours' wrapped lines).
  const raw = Array.from({ length: count }, (_, i) => execFileSync('pdftotext', ['-f', String(i + 1), '-l', String(i + 1), '-raw', file, '-']).toString().replace(/\s+/g, ' '));
  /** Draws page `n` (1-based) and counts pixels near an RGB colour. */
  const pixels = (n: number, [r, g, b]: [number, number, number]) => {
    execFileSync('pdftoppm', ['-f', String(n), '-l', String(n), '-r', '50', '-png', file, path.join(dir, 'page')]);
    const png = PNG.sync.read(readFileSync(path.join(dir, `page-${String(n).padStart(String(count).length, '0')}.png`)));
    let hits = 0;
    for (let i = 0; i < png.data.length; i += 4) if (Math.abs(png.data[i] - r) < 8 && Math.abs(png.data[i + 1] - g) < 8 && Math.abs(png.data[i + 2] - b) < 8) hits += 1;
    return hits;
  };
  return { count, pages, flat, raw, pixels };
}

describe('the inspector report', () => {
  it('has a cover, contents with page numbers, a one-page summary in colour and words, a page per candidate, the integrity statement and the appendix', async () => {
    const { a } = w;
    await mark(t.database.db, w.stages.a[0].id, a.candidate.id, a.mentor.id);
    await waive(t.database.db, w.stages.a[1].id, a.candidate.id, a.mentor.id, 'Completed transfer week with another provider');
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[1].id, status: 'signed', mentorId: a.mentor.id, countersignerId: w.admin.id, evidence: { refType: 'live_note', refId: 'note-9', caption: 'Calm, clear demonstration' } });
    const [entry] = (await t.database.query('select hash from ledger_entries order by seq desc limit 1')).rows as { hash: string }[];
    const lead = await t.loginAs(a.lead.email);
    const res = await asBuffer(lead, `/cohorts/${a.cohort.id}/report.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const { count, pages, flat, raw, pixels } = readPdf(binary(res));

    // Cover: from the provider, for the client; the cohort, its dates; who generated it and when (UK time).
    expect(flat[0]).toMatch(/Training provider Provider Prepared for Client A Trainer readiness report Cohort A/);
    expect(flat[0]).toMatch(/Generated: \d{1,2} \w{3} \d{4} at \d\d:\d\d \(UK time\) by Lead A/);
    // Every page is numbered.
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of ${count}`));
    // Contents: each entry's page number is where it starts.
    expect(flat[1]).toContain('Contents');
    const at = (title: string) => Number(new RegExp(`${title}\\s+page (\\d+)`).exec(pages[1])?.[1]);
    for (const title of ['Summary', 'Candidate A', 'Candidate A2', 'How this record is protected', 'Appendix: Ledger verification']) {
      const n = at(title);
      expect([title, n > 2]).toEqual([title, true]);
      expect(pages[n - 1].trimStart().startsWith(title)).toBe(true);
    }
    // The summary fits one page: counts, the integrity statement, the stage × candidate table in words.
    const summary = at('Summary');
    expect(at('Candidate A')).toBe(summary + 1);
    const s = flat[summary - 1];
    expect(s).toContain('0 2 0 0 Ready to deliver In progress At risk Blocked');
    expect(s).toMatch(/Every sign-off decision in this report is recorded in an append-only, tamper-evident record; it was checked on \d{1,2} \w{3} \d{4} at \d\d:\d\d \(UK time\) and nothing had been altered\./);
    expect(pages[summary - 1]).toMatch(/Candidate A\s+Complete\s+Waived\s+\S/);
    // …in colour as well: the green of "complete" fills its cells (drawn by pdftoppm).
    expect(pixels(summary, [0xdf, 0xf1, 0xe4])).toBeGreaterThan(100);

    // The candidate's page: stages with dates, the competency with who signed and countersigned, evidence in words, the waiver's reason.
    const c = raw[at('Candidate A') - 1];
    expect(c).toMatch(/Candidate A Not yet ready to deliver/);
    expect(c).toMatch(/1\. Pre-load videos .+ Complete \d{1,2} \w{3} \d{4}/);
    expect(c).toMatch(/D2 Teaches de-escalation Signed off — Competent \(2\) Signed by Mentor A on \d{1,2} \w{3} \d{4}; countersigned by Admin/);
    expect(c).toContain('“Calm, clear demonstration” (the record it points to could not be found)');
    expect(c).not.toContain('note-9');
    expect(c).toMatch(/D1 Opens a session with dignity Not requested yet/);
    expect(c).toMatch(/Transfer week \(the whole stage\) waived by Mentor A on \d{1,2} \w{3} \d{4}\. Reason: Completed transfer week with another provider/);
    expect(c).toContain('Final readiness sign-off Not yet signed off as ready to deliver.');
    expect(c).toMatch(/What would make them ready .*Projected ready by|No date can be projected/);

    // Plain words in the body; the hash only in the appendix.
    const appendix = at('Appendix: Ledger verification');
    expect(flat.slice(0, appendix - 1).join(' ')).not.toContain(entry.hash);
    expect(flat[appendix - 1]).toContain(entry.hash);
    expect(flat[appendix - 1]).toMatch(/Verified: all 5 ledger entries chain correctly/);
  });

  it('names in words who signed, who countersigned (or that a second mentor still must) and who declined or revoked, for each kind', async () => {
    const { a } = w;
    const c2 = a.otherCandidate.id;
    const [d1, d2, s1] = w.comps;
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: s1.id, status: 'awaiting_countersign', mentorId: a.mentor.id });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: d2.id, status: 'more_evidence', mentorId: a.mentor.id });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: d1.id, status: 'pending', mentorId: a.mentor.id });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: c2, competencyId: d1.id, status: 'declined', mentorId: a.mentor.id });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: c2, competencyId: d2.id, status: 'revoked', mentorId: a.mentor.id });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: c2, competencyId: s1.id, status: 'signed', mentorId: a.mentor.id, countersignerId: w.admin.id });
    const lead = await t.loginAs(a.lead.email);
    const { pages, raw } = readPdf(binary(await asBuffer(lead, `/cohorts/${a.cohort.id}/report.pdf`)));
    const page = (name: string) => raw[Number(new RegExp(`${name}\\s+page (\\d+)`).exec(pages[1])?.[1]) - 1];
    const day = String.raw`\d{1,2} \w{3} \d{4}`;
    const first = page('Candidate A');
    expect(first).toMatch(new RegExp(`S1 Demonstrates safe holds \\(safety-critical\\) .*Signed by Mentor A on ${day}; not yet countersigned — a second mentor \\(not Mentor A\\) must countersign it`));
    expect(first).toMatch(new RegExp(`D2 Teaches de-escalation .*Mentor A asked for more evidence on ${day}`));
    expect(first).toMatch(new RegExp(`D1 Opens a session with dignity .*Submitted on ${day}; no mentor has decided yet`));
    const second = page('Candidate A2');
    expect(second).toMatch(new RegExp(`D1 Opens a session with dignity .*Declined by Mentor A on ${day}`));
    expect(second).toMatch(new RegExp(`D2 Teaches de-escalation .*Signed by Mentor A on ${day}; revoked by Mentor A on ${day}`));
    expect(second).toMatch(new RegExp(`S1 Demonstrates safe holds \\(safety-critical\\) .*Signed by Mentor A on ${day}; countersigned by Admin on ${day}`));
    expect(`${first} ${second}`).not.toMatch(/Awaiting countersignature by Mentor A|waiting for a second mentor/);
  });

  it('says plainly when the record did not check out', () => {
    const when = new Date('2026-12-01T20:31:00Z');
    expect(integrityStatement({ ok: true, count: 3, lastHash: 'x', summary: '' }, when, 'Europe/London')).toBe(
      'Every sign-off decision in this report is recorded in an append-only, tamper-evident record; it was checked on 1 Dec 2026 at 20:31 (UK time) and nothing had been altered.',
    );
    expect(integrityStatement({ ok: false, count: 3, lastHash: 'x', summary: '' }, when, 'Europe/London')).toMatch(/did not match what Cadre shows, so this report cannot be relied on/);
  });

  it('is also served by the API', async () => {
    const admin = await t.loginAs(w.admin.email);
    const res = await asBuffer(admin, `/api/v1/cohorts/${w.b.cohort.id}/report.pdf`);
    expect(res.status).toBe(200);
    expect(pdfText(binary(res))).toContain('Cohort B');
  });
});
