/** The inspector report's impact section (pdfkit): the before/after comparison in plain words, the milestones, a chart
 * of restraints per month with the milestones marked, the monthly table, courses and learners' before/after. One
 * function, so the report can place it wherever its design wants. */
import type PDFDocument from 'pdfkit';
import type { OrganisationImpact } from './queries';
import { MEASURES } from './vocabulary';

type Doc = InstanceType<typeof PDFDocument>;
type Column = { label: string; width: number; align?: 'left' | 'right' };

const LEFT = 50;
const BOTTOM = 780;

function ensureRoom(doc: Doc, height: number) {
  if (doc.y + height > BOTTOM) doc.addPage();
}

function heading(doc: Doc, text: string, size = 12) {
  ensureRoom(doc, 40);
  doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).fillColor('#000').text(text, LEFT).moveDown(0.2);
}

function para(doc: Doc, text: string, size = 9.5) {
  doc.font('Helvetica').fontSize(size).fillColor('#000').text(text, LEFT, doc.y, { width: 495 });
}

/** A simple table: a bold header row, then rows, a new page (with the header again) when the page is full. */
function table(doc: Doc, columns: Column[], rows: string[][]) {
  const drawRow = (cells: string[], bold: boolean) => {
    const heights = cells.map((c, i) => doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8).heightOfString(c, { width: columns[i].width - 4 }));
    const h = Math.max(...heights) + 4;
    if (doc.y + h > BOTTOM) {
      doc.addPage();
      if (!bold) drawRow(columns.map((c) => c.label), true);
    }
    const y = doc.y;
    let x = LEFT;
    cells.forEach((c, i) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8).fillColor('#000').text(c, x + 2, y + 2, { width: columns[i].width - 4, align: columns[i].align ?? 'left' });
      x += columns[i].width;
    });
    doc.moveTo(LEFT, y + h).lineTo(x, y + h).lineWidth(0.3).strokeColor('#999').stroke();
    doc.x = LEFT;
    doc.y = y + h;
  };
  drawRow(columns.map((c) => c.label), true);
  for (const r of rows) drawRow(r, false);
  doc.moveDown(0.5);
}

/** Restraints (and prone restraints) per the rate's unit, month by month, with the milestones as dashed lines. */
function rateChart(doc: Doc, impact: OrganisationImpact) {
  const { months, milestones, unitWords } = impact.model;
  if (months.length < 2) return;
  const width = 495;
  const height = 150;
  ensureRoom(doc, height + 50);
  const top = doc.y + 6;
  const values = months.flatMap((m) => (m.rates ? [m.rates.restraints] : []));
  const max = Math.max(1, ...values);
  const x = (i: number) => LEFT + 30 + (i * (width - 40)) / (months.length - 1);
  const y = (v: number) => top + height - (v / max) * height;
  doc.lineWidth(0.5).strokeColor('#444').moveTo(LEFT + 30, top).lineTo(LEFT + 30, top + height).lineTo(LEFT + width - 10, top + height).stroke();
  doc.font('Helvetica').fontSize(7).fillColor('#000').text(String(Math.round(max * 10) / 10), LEFT, top - 3, { width: 26, align: 'right' }).text('0', LEFT, top + height - 4, { width: 26, align: 'right' });
  milestones.forEach((m, n) => {
    const i = months.findIndex((mo) => mo.month === m.month);
    if (i < 0) return;
    doc.save().dash(3, { space: 3 }).strokeColor('#7a4b00').moveTo(x(i), top).lineTo(x(i), top + height).stroke().restore();
    doc.fontSize(7).fillColor('#7a4b00').text(String(n + 1), x(i) + 2, top, { lineBreak: false });
  });
  const line = (key: 'restraints' | 'proneRestraints', colour: string) => {
    let started = false;
    months.forEach((m, i) => {
      if (!m.rates) {
        started = false;
        return;
      }
      if (!started) doc.moveTo(x(i), y(m.rates[key]));
      else doc.lineTo(x(i), y(m.rates[key]));
      started = true;
    });
    doc.lineWidth(1.5).strokeColor(colour).stroke();
  };
  line('restraints', '#1f4e79');
  line('proneRestraints', '#a0241a');
  doc.fillColor('#000').fontSize(7);
  const step = Math.ceil(months.length / 12);
  months.forEach((m, i) => {
    if (i % step === 0) doc.text(m.label, x(i) - 18, top + height + 3, { width: 36, align: 'center', lineBreak: false });
  });
  doc.x = LEFT;
  doc.y = top + height + 16;
  para(doc, `Blue: restraints ${unitWords} a month. Red: prone or floor restraints ${unitWords}. Dashed lines: the numbered milestones. A gap is a month with no data.`, 8);
}

/** Writes the impact section of `impact` into `doc`, starting on a new page. */
export function impactPdfSection(doc: Doc, impact: OrganisationImpact): void {
  const { model } = impact;
  doc.addPage();
  doc.font('Helvetica-Bold').fontSize(16).fillColor('#000').text(`Impact: is restraint becoming a last resort at ${impact.organisation.name}?`, LEFT).moveDown(0.3);
  para(doc, model.comparison.text, 10);
  heading(doc, 'Programme milestones');
  if (!model.milestones.length) para(doc, 'No milestones yet.');
  model.milestones.forEach((m, i) => para(doc, `${i + 1}. ${m.date} — ${m.label}`));

  heading(doc, `Restraints ${model.unitWords || ''} per month`.trim());
  para(doc, `${model.incidentsSummary} ${model.rateSummary}`);
  rateChart(doc, impact);

  heading(doc, 'Incidents per month (all services)');
  const cols: Column[] = [{ label: 'Month', width: 55 }, { label: 'Services', width: 40, align: 'right' }, ...MEASURES.map((m) => ({ label: m.short, width: 53, align: 'right' as const })), { label: 'Rate', width: 42, align: 'right' }];
  table(
    doc,
    cols,
    model.months.map((m) => [m.label, m.totals ? String(m.services) : '—', ...MEASURES.map((x) => (m.totals ? String(m.totals[x.key]) : 'no data')), m.rates ? String(m.rates.restraints) : '—']),
  );
  const corrected = impact.history.filter((h) => h.earlier.length);
  if (corrected.length) {
    para(doc, `${corrected.length} ${corrected.length === 1 ? 'month was' : 'months were'} corrected after first being recorded; the figures above are the corrected ones, and every earlier value is kept in Cadre’s history and the CSV export.`, 8.5);
  }

  heading(doc, 'Courses delivered by the new trainers');
  para(doc, model.courses.summary);
  if (impact.courses.length) {
    doc.moveDown(0.3);
    table(
      doc,
      [{ label: 'Date', width: 60 }, { label: 'Trainer', width: 110 }, { label: 'Venue', width: 140 }, { label: 'Attendees', width: 55, align: 'right' }, { label: 'Answers', width: 45, align: 'right' }, { label: 'Before', width: 40, align: 'right' }, { label: 'After', width: 40, align: 'right' }],
      impact.courses.map((c) => [c.deliveredOn, c.trainerName, c.venue, String(c.attendees), String(c.summary.responses), c.summary.before === null ? '—' : String(c.summary.before), c.summary.after === null ? '—' : String(c.summary.after)]),
    );
  }

  heading(doc, 'What learners said: confidence before and after');
  para(doc, model.learners.summary);
  if (model.learners.byOutcome.length) {
    doc.moveDown(0.3);
    table(
      doc,
      [{ label: 'Learning outcome', width: 300 }, { label: 'Ratings', width: 50, align: 'right' }, { label: 'Before', width: 45, align: 'right' }, { label: 'After', width: 45, align: 'right' }, { label: 'Change', width: 50, align: 'right' }],
      model.learners.byOutcome.map((o) => [o.outcome, String(o.pairs), String(o.before), String(o.after), `${o.change > 0 ? '+' : ''}${o.change}`]),
    );
  }
  if (impact.words.length) {
    heading(doc, 'In learners’ words: what I will do differently', 11);
    for (const w of impact.words.slice(0, 8)) {
      ensureRoom(doc, 30);
      para(doc, `“${w.text}”`, 9);
    }
    if (impact.words.length > 8) para(doc, `… and ${impact.words.length - 8} more in the CSV export.`, 8.5);
  }
}
