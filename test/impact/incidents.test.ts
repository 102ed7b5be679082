/** Incident data: a month typed in and corrected (the old value kept and shown), the CSV template, and the import —
 * good, bad and mixed files previewed row by row with nothing written, cancel writes nothing, confirm writes the rows
 * without problems. */
import { count } from 'drizzle-orm';
import type TestAgent from 'supertest/lib/agent';
import { auditEvents, impactIncidentCounts, impactServices } from '../../server/db/tables';
import { startTestApp, type TestApp } from '../support/app';
import { buildWorld, type World } from '../support/factories';
import { postForm } from './world';

jest.setTimeout(120_000);

let t: TestApp;
let w: World;
let lead: TestAgent;
let csrf: string;
let base: string;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await t.database.truncateAll();
  w = await buildWorld(t.database.db);
  lead = await t.loginAs(w.a.lead.email);
  base = `/organisations/${w.a.org.id}/impact/incidents`;
  csrf = await t.csrf(lead, base);
});

const rows = async () => (await t.database.db.select({ n: count() }).from(impactIncidentCounts))[0].n;
const services = async () => (await t.database.db.select({ n: count() }).from(impactServices))[0].n;
const month = { month: '2025-03', newService: 'Harbour House', aggression: '12', restraints: '9', proneRestraints: '3', seclusions: '1', staffInjuries: '2', personInjuries: '1', occupiedBedDays: '' };
const HEADER = 'Month,Service,Incidents of aggression,Restraints,Prone or floor restraints,Seclusions,Injuries to staff,Injuries to people supported,Occupied bed days';

function upload(text: string, name = 'counts.csv') {
  return lead.post(`${base}/import`).set('x-csrf-token', csrf).attach('file', Buffer.from(text, 'utf8'), { filename: name, contentType: 'text/csv' });
}

describe('entering and correcting a month', () => {
  it('saves a month, keeps the old value when corrected and shows both', async () => {
    const first = await postForm(lead, base, csrf, month);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe(`${base}?done=saved`);
    const [service] = await t.database.db.select().from(impactServices);
    expect(service.name).toBe('Harbour House');
    // The same numbers again: nothing written.
    const same = await postForm(lead, base, csrf, { ...month, newService: '', serviceId: service.id });
    expect(same.headers.location).toBe(`${base}?done=unchanged`);
    expect(await rows()).toBe(1);
    // A correction: a second version; the first stays.
    const fix = await postForm(lead, base, csrf, { ...month, newService: '', serviceId: service.id, restraints: '8', proneRestraints: '2', note: 'Two holds were double-counted' });
    expect(fix.status).toBe(303);
    const versions = await t.database.db.select().from(impactIncidentCounts);
    expect(versions.map((v) => [v.version, v.restraints, v.proneRestraints]).sort()).toEqual([[1, 9, 3], [2, 8, 2]]);
    const page = await lead.get(base).expect(200);
    expect(page.text).toContain('March 2025');
    expect(page.text).toContain('Corrected — earlier values');
    expect(page.text).toContain('Version 1: 12 · 9 · 3 · 1 · 2 · 1');
    expect(page.text).toContain('Two holds were double-counted');
    const trail = await t.database.db.select().from(auditEvents);
    expect(trail.map((e) => e.action)).toEqual(expect.arrayContaining(['incidents.entered', 'incidents.corrected']));
  });

  it('names each bad field and writes nothing', async () => {
    const res = await postForm(lead, base, csrf, { ...month, month: '2025-13', restraints: '-1', proneRestraints: 'two', occupiedBedDays: '0' });
    expect(res.status).toBe(400);
    for (const f of ['month', 'restraints', 'proneRestraints', 'occupiedBedDays']) expect(res.text).toContain(`href="#field-${f}"`);
    const prone = await postForm(lead, base, csrf, { ...month, restraints: '2', proneRestraints: '5' });
    expect(prone.status).toBe(400);
    expect(prone.text).toContain('is 5, more than the 2 restraints');
    const noService = await postForm(lead, base, csrf, { ...month, newService: '' });
    expect(noService.status).toBe(400);
    const future = await postForm(lead, base, csrf, { ...month, month: '2999-01' });
    expect(future.status).toBe(400);
    expect(await rows()).toBe(0);
    expect(await services()).toBe(0);
  });

  it('is for the organisation’s lead and the provider’s admins only', async () => {
    const candidate = await t.loginAs(w.a.candidate.email);
    await candidate.get(base).expect(403);
    const otherLead = await t.loginAs(w.b.lead.email);
    await otherLead.get(base).expect(404);
    const admin = await t.loginAs(w.admin.email);
    await admin.get(base).expect(200);
  });
});

describe('the CSV template', () => {
  it('is UTF-8 with a BOM, has the columns the import reads, and lists the services to fill in', async () => {
    await postForm(lead, base, csrf, month);
    const res = await lead.get(`${base}/template.csv`).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="incident-counts-template.csv"');
    expect(res.text.charCodeAt(0)).toBe(0xfeff);
    const [header, row] = res.text.slice(1).split('\r\n');
    expect(header).toBe(HEADER);
    expect(row).toMatch(/^\d{4}-\d{2},Harbour House,,,,,,,$/);
  });
});

describe('importing a CSV', () => {
  it('previews a good file without writing, imports it on confirm, and adds its services', async () => {
    const text = `\uFEFF${HEADER}\r\n2025-01,Harbour House,10,8,2,1,1,0,930\r\n2025-01,Quayside Lodge,4,3,0,0,0,1,\r\n2025-02,Harbour House,9,7,1,0,0,0,840\r\n`;
    const preview = await upload(text);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Nothing has been saved yet.');
    expect(preview.text).toMatch(/<strong>3<\/strong> new months/);
    expect(preview.text).toContain('These services are new and will be added: <strong>Harbour House, Quayside Lodge</strong>');
    expect(preview.text).toContain('Import 3 rows');
    expect(await rows()).toBe(0);
    expect(await services()).toBe(0);

    const csv = /name="csv" value="([^"]*)"/.exec(preview.text)?.[1] as string;
    const decoded = csv.replace(/&#x([0-9A-F]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16))).replace(/&amp;/g, '&').replace(/&quot;/g, '"');
    const done = await postForm(lead, `${base}/import/confirm`, csrf, { csv: decoded });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`${base}?done=imported&n=3`);
    expect(await rows()).toBe(3);
    expect(await services()).toBe(2);
    const page = await lead.get(done.headers.location).expect(200);
    expect(page.text).toContain('Imported 3 months.');
    expect(page.text).toContain('Quayside Lodge');
  });

  it('names every bad row and the problem with it, and imports nothing from an all-bad file', async () => {
    const text = [
      HEADER,
      '2025-1,Harbour House,1,1,0,0,0,0,',
      '2025-02,,1,1,0,0,0,0,',
      '2025-03,Harbour House,1.5,1,0,0,0,0,',
      '2025-04,Harbour House,3,1,2,0,0,0,',
      '2025-05,Harbour House,,1,0,0,0,0,',
      '2999-01,Harbour House,1,1,0,0,0,0,',
      '2025-06,Harbour House,1,1,0,0,0,0,0',
      '2025-07,Harbour House,=1+1,1,0,0,0,0,',
    ].join('\n');
    const preview = await upload(text);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(/<strong>8<\/strong> with problems, not imported/);
    for (const [line, problem] of [
      [2, 'Month “2025-1” is not a month as YYYY-MM'],
      [3, 'Service is empty'],
      [4, 'Incidents of aggression “1.5” is not a whole number'],
      [5, 'Prone or floor restraints (2) cannot be more than restraints (1)'],
      [6, 'Incidents of aggression is empty: enter 0 if there were none'],
      [7, 'Month 2999-01 has not happened yet'],
      [8, 'Occupied bed days is 0'],
      [9, 'Incidents of aggression “&#x3D;1+1” is not a whole number'], // handlebars escapes the '='
    ] as const) {
      expect(preview.text).toContain(`<a href="#line-${line}">Line ${line}</a>: ${problem}`);
    }
    expect(preview.text).not.toContain('data-testid="confirm-import"');
    expect(await rows()).toBe(0);
    // Confirming the same text anyway (a hand-made post) still writes nothing.
    const forced = await postForm(lead, `${base}/import/confirm`, csrf, { csv: text });
    expect(forced.headers.location).toBe(`${base}?done=imported&n=0`);
    expect(await rows()).toBe(0);
    expect(await services()).toBe(0);
  });

  it('previews a mixed file: good rows, a correction with its old value, an unchanged row and bad rows — cancel writes nothing, confirm writes only the good', async () => {
    await postForm(lead, base, csrf, month); // Harbour House, March 2025: 12, 9, 3, 1, 2, 1
    const text = [
      HEADER,
      '2025-03,Harbour House,12,8,3,1,2,1,', // a correction: restraints 9 → 8
      '2025-04,Harbour House,11,7,2,0,1,0,',
      '2025-04,harbour house,11,7,2,0,1,0,', // the same service and month again
      '2025-05,The Mews,3,,0,0,0,0,',
      '2025-03,Harbour House,12,9,3,1,2,1,',
    ].join('\r\n');
    const preview = await upload(text);
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(/<strong>1<\/strong> new month</);
    expect(preview.text).toMatch(/<strong>1<\/strong> correction</);
    expect(preview.text).toMatch(/<strong>3<\/strong> with problems/);
    expect(preview.text).toContain('<span class="was">was 9</span>');
    expect(preview.text).toContain('Line 4</a>: harbour house 2025-04 is also on line 3');
    expect(preview.text).toContain('Line 5</a>: Restraints is empty');
    expect(preview.text).toContain('Line 6</a>: Harbour House 2025-03 is also on line 2');
    expect(preview.text).toContain('Import 2 rows');
    expect(await rows()).toBe(1);

    // Cancel is a link back: following it writes nothing.
    const cancel = /href="([^"]+)" data-testid="cancel-import"/.exec(preview.text)?.[1] as string;
    expect(cancel).toBe(base);
    await lead.get(cancel).expect(200);
    expect(await rows()).toBe(1);

    const done = await postForm(lead, `${base}/import/confirm`, csrf, { csv: text });
    expect(done.headers.location).toBe(`${base}?done=imported&n=2`);
    const all = await t.database.db.select().from(impactIncidentCounts);
    expect(all.map((r) => [r.month, r.version, r.restraints]).sort()).toEqual([
      ['2025-03-01', 1, 9],
      ['2025-03-01', 2, 8],
      ['2025-04-01', 1, 7],
    ]);
    expect(await services()).toBe(1);
  });

  it('refuses files that are not CSV text, or have the wrong columns, with a sentence and nothing written', async () => {
    const xlsx = await lead.post(`${base}/import`).set('x-csrf-token', csrf).attach('file', Buffer.from('PK\u0003\u0004rest-of-a-zip'), { filename: 'counts.xlsx' });
    expect(xlsx.status).toBe(415);
    expect(xlsx.text).toContain('it looks like an Excel workbook');
    const latin1 = await lead.post(`${base}/import`).set('x-csrf-token', csrf).attach('file', Buffer.from([0x4d, 0x6f, 0x6e, 0x74, 0x68, 0x0a, 0xe9, 0x0a]), { filename: 'counts.csv' });
    expect(latin1.status).toBe(415);
    expect(latin1.text).toContain('not UTF-8 text');
    const columns = await upload('Month,Service,Restraints,Patient name\n2025-01,Harbour House,3,Jane');
    expect(columns.status).toBe(200);
    expect(columns.text).toContain('Column “Patient name” is not one Cadre imports.');
    expect(columns.text).toContain('The column “Incidents of aggression” is missing.');
    const quote = await upload(`${HEADER}\n"2025-01,Harbour House,1,1,0,0,0,0,`);
    expect(quote.text).toContain('The file could not be read as CSV');
    const none = await lead.post(`${base}/import`).set('x-csrf-token', csrf).field('x', '1');
    expect(none.status).toBe(400);
    expect(none.text).toContain('Choose a CSV file to import.');
    const big = await lead.post(`${base}/import`).set('x-csrf-token', csrf).attach('file', Buffer.alloc(300 * 1024, 'a'), { filename: 'big.csv' });
    expect(big.status).toBe(413);
    expect(await rows()).toBe(0);
  });
});
