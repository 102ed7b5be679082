/** The inspector report (pdfkit): a cover, contents, a one-page summary (readiness counts and a stage × candidate table
 * in colour and words), a page per candidate, the integrity statement in plain language from the full ledger check,
 * the organisation's impact, and the technical detail in an appendix; every page numbered. */
import type PDFKit from 'pdfkit';
import type { OrganisationImpact } from '../impact/queries';
import { impactPdfSection } from '../impact/pdf-section';
import { sayDay, sayDayTime, timeZoneWords } from '../exports/words';
import { sayDate, type CohortReadiness } from './model';
import { candidateStateLabel } from './presenters';
import type { SignoffRecord, WaiverRecord } from './records';
import { candidatePage } from './report/candidate';
import { heading, para, PAGE, STATE_COLOURS, table, type Doc } from './report/kit';

/** The record check as printed (the shape of `verifyRecord`'s answer). */
export type LedgerSummary = {
  ok: boolean;
  count: number;
  lastHash: string;
  summary: string;
  checked?: { name: string; rows: number }[];
  brokenAt?: { seq: number; reason: string };
  disagreement?: { table: string; rowId: string };
};

/** A section a stage module adds to the report (e.g. final readiness sign-offs): cohort-wide lines, and optionally the
 * same facts per candidate (by candidate id), printed on each candidate's page. */
export type ReportSection = { title: string; lines: string[]; byCandidate?: Record<string, string[]> };

/** Who the report is from and for: a name, and a logo (PNG or JPEG bytes) when one is set. */
export type ReportParty = { name: string; logo?: Buffer | null };

/** What the report is made from. */
export type ReportInput = {
  cohort: CohortReadiness;
  signoffs: SignoffRecord[];
  /** Each sign-off's evidence in words, by request id. */
  evidence?: ReadonlyMap<string, string[]>;
  waivers: WaiverRecord[];
  sections?: ReportSection[];
  ledger: LedgerSummary;
  generatedAt: Date;
  generatedBy: string;
  /** The organisation's time zone: every date and time in the report is in it. */
  timeZone: string;
  /** The training provider (the cover's "from"); the client is the cohort's organisation. */
  provider?: ReportParty | null;
  client?: ReportParty | null;
  /** The organisation's impact (incidents, courses, learners' before/after), printed as its own section. */
  impact?: OrganisationImpact;
  /** The UK date the projections count from (defaults to the generation date). */
  today?: string;
};

/** The integrity statement a person reads, from the full ledger check. */
export function integrityStatement(ledger: LedgerSummary, checkedAt: Date, zone: string): string {
  const record = 'Every sign-off decision in this report is recorded in an append-only, tamper-evident record';
  if (ledger.ok) return `${record}; it was checked on ${sayDayTime(checkedAt, zone)} (${timeZoneWords(zone)}) and nothing had been altered.`;
  return `${record}. When it was checked on ${sayDayTime(checkedAt, zone)} (${timeZoneWords(zone)}) it did not match what Cadre shows, so this report cannot be relied on until the provider has investigated. The detail is in the appendix.`;
}

const dates = (c: CohortReadiness) => `${c.startsOn ? sayDate(c.startsOn) : 'not set'} to ${c.endsOn ? sayDate(c.endsOn) : 'not set'}`;

function party(doc: Doc, who: ReportParty, role: string, y: number) {
  doc.font('Helvetica').fontSize(10).fillColor('#4a5560').text(role, PAGE.left, y);
  let textY = y + 14;
  if (who.logo) {
    try {
      doc.image(who.logo, PAGE.left, textY, { fit: [140, 50] });
      textY += 56;
    } catch {
      // A logo pdfkit cannot read is left out; the name is always printed.
    }
  }
  doc.font('Helvetica-Bold').fontSize(16).fillColor('#111').text(who.name, PAGE.left, textY, { width: PAGE.width });
}

function cover(doc: Doc, input: ReportInput) {
  const { cohort } = input;
  doc.rect(0, 0, doc.page.width, 12).fill('#1f4e79');
  party(doc, input.provider ?? { name: 'The training provider' }, 'Training provider', 80);
  party(doc, input.client ?? { name: cohort.organisationName }, 'Prepared for', 190);
  doc.moveTo(PAGE.left, 300).lineTo(PAGE.left + PAGE.width, 300).lineWidth(1).stroke('#b8c0c8');
  doc.font('Helvetica-Bold').fontSize(24).fillColor('#111').text('Trainer readiness report', PAGE.left, 330, { width: PAGE.width });
  doc.font('Helvetica').fontSize(14).text(cohort.name, { width: PAGE.width }).moveDown(1);
  const line = (label: string, value: string) => doc.font('Helvetica-Bold').fontSize(11).text(`${label}: `, PAGE.left, doc.y, { continued: true, width: PAGE.width }).font('Helvetica').text(value);
  line('Programme', cohort.programmeName ?? 'Not recorded');
  line('Cohort dates', dates(cohort));
  line('Candidates', String(cohort.counts.candidates));
  line('Generated', `${sayDayTime(input.generatedAt, input.timeZone)} (${timeZoneWords(input.timeZone)}) by ${input.generatedBy}`);
  doc.font('Helvetica').fontSize(9).fillColor('#4a5560').text('This report shows each candidate’s progress through the programme’s stages and the competencies mentors have signed off, with the evidence they relied on.', PAGE.left, 700, { width: PAGE.width });
}

function summary(doc: Doc, input: ReportInput) {
  const { cohort } = input;
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text('Summary', PAGE.left, doc.y).moveDown(0.3);
  const n = cohort.counts;
  const boxes: [string, number, keyof typeof STATE_COLOURS][] = [['Ready to deliver', n.ready, 'complete'], ['In progress', n.inProgress, 'in_progress'], ['At risk', n.atRisk, 'at_risk'], ['Blocked', n.blocked, 'blocked']];
  const y = doc.y;
  const w = (PAGE.width - 3 * 8) / 4;
  boxes.forEach(([label, count, state], i) => {
    const x = PAGE.left + i * (w + 8);
    doc.save().rect(x, y, w, 46).fill(STATE_COLOURS[state].fill).restore();
    doc.font('Helvetica-Bold').fontSize(18).fillColor(STATE_COLOURS[state].ink).text(String(count), x + 8, y + 6, { width: w - 16 });
    doc.font('Helvetica').fontSize(9).text(label, x + 8, y + 29, { width: w - 16 });
  });
  doc.x = PAGE.left;
  doc.y = y + 56;
  para(doc, `${n.candidates} ${n.candidates === 1 ? 'candidate' : 'candidates'} in ${cohort.name} (${dates(cohort)}).`, 10);
  para(doc, integrityStatement(input.ledger, input.generatedAt, input.timeZone), 10, 'Helvetica-Bold');
  heading(doc, 'Stages by candidate', 12);
  const stageWidth = Math.max(48, Math.floor((PAGE.width - 110 - 70) / Math.max(1, cohort.stages.length)));
  const nameWidth = PAGE.width - 70 - stageWidth * cohort.stages.length;
  table(
    doc,
    [{ label: 'Candidate', width: nameWidth }, ...cohort.stages.map((s) => ({ label: `${s.position}. ${s.title}`, width: stageWidth })), { label: 'Overall', width: 70 }],
    cohort.candidates.map((c) => [{ text: c.name, bold: true }, ...c.stages.map((cell) => ({ text: cell.label, state: cell.state })), { text: candidateStateLabel(c.state), state: c.ready ? 'complete' : c.state === 'blocked' ? 'blocked' : c.state === 'at_risk' ? 'at_risk' : 'in_progress' }]),
    7,
  );
  para(doc, 'Every cell gives its state in words; colours repeat them: green complete, blue in progress, amber at risk, red blocked, grey not started.', 8);
}

function integrity(doc: Doc, input: ReportInput) {
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text('How this record is protected', PAGE.left, doc.y).moveDown(0.3);
  para(doc, integrityStatement(input.ledger, input.generatedAt, input.timeZone), 11, 'Helvetica-Bold');
  doc.moveDown(0.5);
  para(doc, 'When a mentor signs off or countersigns a competency, declines it, grants or withdraws a waiver, marks a stage complete or signs a candidate off as ready to deliver — and when a certificate is issued, renewed or revoked — Cadre writes that decision once to a record that is only ever added to. Each entry carries a digital fingerprint of the one before it, so changing or removing any earlier decision would break every fingerprint after it.', 10);
  doc.moveDown(0.4);
  para(doc, 'For this report Cadre re-checked the whole record from its first entry and compared it with every sign-off, waiver, completion mark, final sign-off and certificate shown for this cohort. The technical detail of that check is in the appendix.', 10);
}

function appendix(doc: Doc, ledger: LedgerSummary) {
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text('Appendix: Ledger verification (technical detail)', PAGE.left, doc.y, { width: PAGE.width }).moveDown(0.3);
  para(doc, ledger.summary, 10);
  doc.moveDown(0.3);
  para(doc, `Entries in the ledger: ${ledger.count}.`, 10);
  for (const c of ledger.checked ?? []) para(doc, `Rows checked against the ledger — ${c.name}: ${c.rows}.`, 10);
  if (ledger.brokenAt) para(doc, `The chain breaks at entry ${ledger.brokenAt.seq}: ${ledger.brokenAt.reason}.`, 10);
  if (ledger.disagreement) {
    para(doc, 'Row to inspect:', 10);
    doc.font('Courier').fontSize(8.5).text(`${ledger.disagreement.table} ${ledger.disagreement.rowId}`, PAGE.left, doc.y, { width: PAGE.width });
  }
  doc.moveDown(0.3);
  para(doc, 'Last hash (SHA-256 of the newest entry; the provider can confirm it from their own copy):', 10);
  doc.font('Courier').fontSize(8.5).text(ledger.lastHash, PAGE.left, doc.y, { width: PAGE.width });
}

/** Renders the report to a PDF buffer. Text streams are left uncompressed so the words can be searched and tested. */
export function cohortReportPdf(input: ReportInput): Promise<Buffer> {
  const { cohort } = input;
  // Loaded on first use: pdfkit and its fonts cost a noticeable part of start-up, and few requests need them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = require('pdfkit') as typeof PDFKit;
  const doc = new PDFDocument({ size: 'A4', margin: 50, compress: false, bufferPages: true, info: { Title: `Trainer readiness report — ${cohort.name}`, Author: input.provider?.name ?? 'Cadre', Subject: 'Trainer readiness' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const today = input.today ?? input.generatedAt.toISOString().slice(0, 10);
  const contents: { title: string; page: number; indent: boolean }[] = [];
  const section = (title: string, draw: () => void, indent = false) => {
    doc.addPage();
    contents.push({ title, page: doc.bufferedPageRange().count, indent });
    draw();
  };

  cover(doc, input);
  doc.addPage(); // the contents, written once every page number is known
  const contentsPage = doc.bufferedPageRange().count - 1;
  section('Summary', () => summary(doc, input));
  const candidatesEntry = { title: 'Candidates', page: 0, indent: false };
  contents.push(candidatesEntry);
  const sections = input.sections ?? [];
  for (const c of cohort.candidates) {
    if (!candidatesEntry.page) candidatesEntry.page = doc.bufferedPageRange().count + 1;
    section(c.name, () =>
      candidatePage(doc, {
        cohort,
        candidate: c,
        signoffs: input.signoffs.filter((s) => s.candidateId === c.candidateId),
        evidence: input.evidence ?? new Map(),
        waivers: input.waivers.filter((w) => w.candidateId === c.candidateId),
        timeZone: input.timeZone,
        sections: sections.filter((s) => s.byCandidate).map((s) => ({ title: s.title, lines: s.byCandidate?.[c.candidateId] ?? [] })),
        today,
      }), true);
  }
  for (const s of sections.filter((x) => !x.byCandidate)) section(s.title, () => {
    doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text(s.title, PAGE.left, doc.y).moveDown(0.3);
    for (const l of s.lines) para(doc, l, 9);
  });
  section('How this record is protected', () => integrity(doc, input));
  if (input.impact) {
    const impact = input.impact;
    section('Impact', () => impactPdfSection(doc, impact));
  }
  section('Appendix: Ledger verification', () => appendix(doc, input.ledger));

  const total = doc.bufferedPageRange().count;
  doc.switchToPage(contentsPage);
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text('Contents', PAGE.left, 60).moveDown(0.5);
  for (const e of contents.filter((x) => x.page > 0)) {
    const y = doc.y;
    const x = PAGE.left + (e.indent ? 16 : 0);
    doc.font(e.indent ? 'Helvetica' : 'Helvetica-Bold').fontSize(e.indent ? 10 : 11).fillColor('#111').text(e.title, x, y, { width: PAGE.width - 60 - (x - PAGE.left) });
    doc.text(`page ${e.page}`, PAGE.left + PAGE.width - 60, y, { width: 60, align: 'right' });
    doc.y = Math.max(doc.y, y + 14) + 3;
    if (doc.y > PAGE.bottom) break;
  }
  for (let i = 0; i < total; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing in the margin must not start a new page
    doc.font('Helvetica').fontSize(8).fillColor('#4a5560').text(`${cohort.name} — trainer readiness report — generated ${sayDay(input.generatedAt, input.timeZone)}`, PAGE.left, 805, { width: PAGE.width - 90, lineBreak: false });
    doc.text(`Page ${i + 1} of ${total}`, PAGE.left + PAGE.width - 90, 805, { width: 90, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  return done;
}
