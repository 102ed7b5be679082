import { csvCell } from '../../server/exports/csv';
import { startTestApp, type TestApp } from '../support/app';
import { buildReadinessWorld, mark, request, signAll, type ReadinessWorld } from './world';

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

/** A small RFC 4180 parser, so the test reads the CSV as a spreadsheet would. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('CSV exports', () => {
  it('guards against formula injection and quotes commas, quotes and newlines', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM')).toBe("'@SUM");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
  });

  it('exports the heatmap with a header row and one row per candidate, in words', async () => {
    const { a } = w;
    for (const s of w.stages.a) await mark(t.database.db, s.id, a.candidate.id, a.mentor.id);
    await signAll(t.database.db, w, a.cohort.id, a.candidate.id, a.mentor.id);
    const lead = await t.loginAs(a.lead.email);
    const res = await lead.get(`/cohorts/${a.cohort.id}/readiness.csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="cohort-a-readiness\.csv"/);
    // UTF-8 with a byte-order mark, so Excel reads the dashes; then exactly one header row.
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(res.text.slice(1));
    expect(rows[0].slice(0, 7)).toEqual(['Candidate', 'E-mail', 'Ready to deliver', 'State', 'Stage 1: Pre-load videos', 'Stage 2: Transfer week', 'Stage 3: Co-delivery']);
    expect(rows[0]).toContain('S1 Demonstrates safe holds');
    expect(rows).toHaveLength(3);
    const ready = rows.find((r) => r[0] === 'Candidate A') as string[];
    expect(ready.slice(2, 10)).toEqual(['Yes', 'Ready to deliver', 'Complete', 'Complete', 'Complete', 'Signed off', 'Signed off', 'Signed off']);
    const other = rows.find((r) => r[0] === 'Candidate A2') as string[];
    expect(other[2]).toBe('No');
    expect(other[3]).toBe('In progress');
    // Times in the organisation's time zone, as a spreadsheet sorts them.
    expect(rows[0].at(-1)).toBe('Last activity (UK time)');
    const london = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    expect(ready.at(-1)).toMatch(new RegExp(`^${london} \\d\\d:\\d\\d$`));
    // The API equivalent answers the same CSV.
    const api = await lead.get(`/api/v1/cohorts/${a.cohort.id}/readiness.csv`);
    expect(parseCsv(api.text.slice(1))).toEqual(rows);
  });

  it('exports every sign-off with mentor names, dates and evidence references, neutralising formulas', async () => {
    const { a } = w;
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.candidate.id, competencyId: w.comps[0].id, status: 'signed', mentorId: a.mentor.id, evidence: { refType: 'live_note', refId: 'note-42', caption: '=cmd|calc, "quoted"' } });
    await request(t.database.db, { cohortId: a.cohort.id, candidateId: a.otherCandidate.id, competencyId: w.comps[2].id, status: 'awaiting_countersign', mentorId: a.mentor.id });
    const lead = await t.loginAs(a.lead.email);
    const res = await lead.get(`/cohorts/${a.cohort.id}/signoffs.csv`);
    expect(res.status).toBe(200);
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    const rows = parseCsv(res.text.slice(1));
    // People's words: no request ids, statuses as the pages say them, the rating on its scale, UK times.
    expect(rows[0]).toEqual(['Candidate', 'Competency code', 'Competency', 'Safety-critical', 'Status', 'Rating', 'Submitted (UK time)', 'Signed (UK time)', 'Signed by', 'Countersigned by', 'Evidence']);
    expect(rows).toHaveLength(3);
    const signed = rows.find((r) => r[0] === 'Candidate A') as string[];
    expect(signed.slice(1, 6)).toEqual(['D1', 'Opens a session with dignity', 'No', 'Signed off', 'Competent (2)']);
    expect(signed[8]).toBe('Mentor A');
    expect(signed[7]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    // A reference that resolves to nothing is said so in words, never as its id; the caption is kept.
    expect(signed[10]).toBe('“=cmd|calc, "quoted"” (the record it points to could not be found)');
    expect(res.text).not.toContain('note-42');
    const waiting = rows.find((r) => r[0] === 'Candidate A2') as string[];
    expect(waiting.slice(3, 6)).toEqual(['Yes', 'Signed, waiting for a countersignature', 'Competent (2)']);
  });

  it('neutralises a formula that starts any cell, such as a name', async () => {
    const { a } = w;
    await t.database.query(`update users set name = '=HYPERLINK("http://x")' where id = $1`, [a.candidate.id]);
    const lead = await t.loginAs(a.lead.email);
    const rows = parseCsv((await lead.get(`/cohorts/${a.cohort.id}/readiness.csv`)).text.slice(1));
    expect(rows.map((r) => r[0])).toContain(`'=HYPERLINK("http://x")`);
  });
});
