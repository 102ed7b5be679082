/** The cohort report an inspector reads: programme, dates, candidates, stage completion dates, sign-offs,
 * waivers with reasons, and the ledger's verification result. Generated server-side with pdfkit. */
import type PDFKit from 'pdfkit';
import type { CohortReadiness } from './model';
import { sayDate } from './model';
import type { SignoffRecord, WaiverRecord } from './records';
import type { OrganisationImpact } from '../impact/queries';
import { impactPdfSection } from '../impact/pdf-section';

/** The record check as printed (the shape of `verifyRecord`'s answer). */
export type LedgerSummary = { ok: boolean; count: number; lastHash: string; summary: string; disagreement?: { table: string; rowId: string } };

/** A section a stage module adds to the report (e.g. final readiness sign-offs), as plain lines. */
export type ReportSection = { title: string; lines: string[] };

/** What the report is made from. */
export type ReportInput = {
  cohort: CohortReadiness;
  signoffs: SignoffRecord[];
  waivers: WaiverRecord[];
  sections?: ReportSection[];
  ledger: LedgerSummary;
  generatedAt: Date;
  generatedBy: string;
  /** The organisation's impact (incidents, courses, learners' before/after), printed as its own section. */
  impact?: OrganisationImpact;
};

/** Ends a sentence once: "Ready." stays "Ready.", "Ready" becomes "Ready.". */
const stop = (t: string) => (/[.!?]$/.test(t.trim()) ? t.trim() : `${t.trim()}.`);
const when = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().slice(0, 10));
const statusWords: Record<string, string> = {
  signed: 'Signed off',
  awaiting_countersign: 'Awaiting countersignature',
  pending: 'Waiting for a mentor',
  more_evidence: 'More evidence asked for',
  declined: 'Declined',
  revoked: 'Revoked',
};

/** Renders the report to a PDF buffer. Text streams are left uncompressed so the words can be searched and tested. */
export function cohortReportPdf(input: ReportInput): Promise<Buffer> {
  const { cohort, signoffs, waivers, ledger } = input;
  // Loaded on first use: pdfkit and its fonts cost a noticeable part of start-up, and few requests need them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const PDFDocument = require('pdfkit') as typeof PDFKit;
  const doc = new PDFDocument({ size: 'A4', margin: 50, compress: false, info: { Title: `Cohort report — ${cohort.name}`, Author: 'Cadre', Subject: 'Trainer readiness' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const h1 = (t: string) => doc.font('Helvetica-Bold').fontSize(18).text(t).moveDown(0.3);
  const h2 = (t: string) => {
    if (doc.y > 700) doc.addPage();
    doc.moveDown(0.6).font('Helvetica-Bold').fontSize(13).text(t).moveDown(0.2);
  };
  const p = (t: string, size = 10) => doc.font('Helvetica').fontSize(size).text(t);
  const line = (label: string, value: string) => doc.font('Helvetica-Bold').fontSize(10).text(`${label}: `, { continued: true }).font('Helvetica').text(value);

  h1(`Cohort report: ${cohort.name}`);
  line('Organisation', cohort.organisationName);
  line('Programme', cohort.programmeName ?? 'Not recorded');
  line('Dates', `${cohort.startsOn ? sayDate(cohort.startsOn) : 'not set'} to ${cohort.endsOn ? sayDate(cohort.endsOn) : 'not set'}`);
  line('Generated', `${input.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by ${input.generatedBy}`);
  line(
    'Summary',
    `${cohort.counts.candidates} candidates — ${cohort.counts.ready} ready to deliver, ${cohort.counts.atRisk} at risk, ${cohort.counts.blocked} blocked, ${cohort.counts.inProgress} in progress`,
  );

  h2('Stages');
  for (const s of cohort.stages) p(`${s.position}. ${s.title} — window ${s.startsOn ? sayDate(s.startsOn) : 'open'} to ${s.endsOn ? sayDate(s.endsOn) : 'open'}`);

  h2('Candidates and stage completion');
  for (const c of cohort.candidates) {
    if (doc.y > 720) doc.addPage();
    doc.moveDown(0.3).font('Helvetica-Bold').fontSize(11).text(`${c.name} — ${c.ready ? 'Ready to deliver' : `Not yet ready (${c.state.replace('_', ' ')})`}`);
    cohort.stages.forEach((s, i) => {
      const cell = c.stages[i];
      p(`   ${s.title}: ${cell.label}${cell.at !== null ? ` on ${when(cell.at)}` : ''}`, 9);
    });
    p(`   Competencies signed: ${c.competenciesSigned} of ${cohort.competencies.length}`, 9);
    if (c.flags.length) p(`   Flags: ${c.flags.map((f) => f.message).join('; ')}`, 9);
  }

  h2('Sign-offs');
  if (!signoffs.length) p('No sign-off requests yet.');
  for (const s of signoffs) {
    if (doc.y > 730) doc.addPage();
    const who = s.signedBy ? ` by ${s.signedBy}${s.signedAt !== null ? ` on ${when(s.signedAt)}` : ''}` : '';
    const counter = s.countersignedBy ? `, countersigned by ${s.countersignedBy}` : s.safetyCritical && s.status !== 'signed' ? ' (safety-critical: needs a countersignature)' : '';
    p(`${s.candidateName} — ${s.competencyCode} ${s.competencyName}: ${statusWords[s.status] ?? s.status}${who}${counter}. Submitted ${when(s.submittedAt)}.`, 9);
    if (s.evidence.length) p(`   Evidence: ${s.evidence.join('; ')}`, 8);
  }

  h2('Waivers');
  if (!waivers.length) p('No waivers were used.');
  for (const w of waivers) {
    p(`${w.candidateName} — ${w.stageTitle} (${w.scope === 'stage' ? 'whole stage' : `requirement ${w.requirementKey ?? ''}`}), waived by ${w.mentorName} on ${when(w.at)}. Reason: ${w.reason}`, 9);
    if (w.withdrawal) p(`   Withdrawn by ${w.withdrawal.by} on ${when(w.withdrawal.at)}: ${stop(w.withdrawal.reason)} It no longer counts.`, 9);
  }

  for (const section of input.sections ?? []) {
    h2(section.title);
    for (const l of section.lines) {
      if (doc.y > 730) doc.addPage();
      p(l, 9);
    }
  }

  if (input.impact) {
    impactPdfSection(doc, input.impact);
    doc.addPage();
  }

  h2('Ledger verification');
  p(ledger.summary);
  if (ledger.disagreement) {
    doc.font('Helvetica').fontSize(10).text('Row to inspect:');
    doc.font('Courier').fontSize(8.5).text(`${ledger.disagreement.table} ${ledger.disagreement.rowId}`);
  }
  doc.font('Helvetica').fontSize(10).text('Last hash:');
  doc.font('Courier').fontSize(8.5).text(ledger.lastHash);
  doc.end();
  return done;
}
