/** Drawing helpers for the inspector report (pdfkit): page geometry, headings, paragraphs, and tables whose cells may
 * carry a state's colour (always with its words too), repeating the header row on a new page. */
import type PDFKit from 'pdfkit';
import type { CellState } from '../model';

/** A pdfkit document. */
export type Doc = PDFKit.PDFDocument;

/** Page geometry (A4, points). */
export const PAGE = { left: 50, width: 495, bottom: 770 } as const;

/** Each state's fill and ink: the same meanings as the readiness page. */
export const STATE_COLOURS: Record<CellState, { fill: string; ink: string }> = {
  complete: { fill: '#dff1e4', ink: '#1d5c33' },
  in_progress: { fill: '#e3ecf7', ink: '#1f4e79' },
  at_risk: { fill: '#fdeccc', ink: '#6b4200' },
  blocked: { fill: '#fbe0dc', ink: '#8f1f16' },
  not_started: { fill: '#eceff2', ink: '#3f4a55' },
};

/** Starts a new page when fewer than `height` points are left. */
export function ensureRoom(doc: Doc, height: number): void {
  if (doc.y + height > PAGE.bottom) doc.addPage();
}

/** A section heading. */
export function heading(doc: Doc, text: string, size = 14): void {
  ensureRoom(doc, size * 3);
  doc.moveDown(0.5).font('Helvetica-Bold').fontSize(size).fillColor('#111').text(text, PAGE.left, doc.y, { width: PAGE.width }).moveDown(0.25);
}

/** A paragraph. */
export function para(doc: Doc, text: string, size = 9.5, font = 'Helvetica'): void {
  ensureRoom(doc, size * 2);
  doc.font(font).fontSize(size).fillColor('#111').text(text, PAGE.left, doc.y, { width: PAGE.width });
}

/** A bulleted line. */
export function bullet(doc: Doc, text: string, size = 9.5): void {
  ensureRoom(doc, size * 2);
  const y = doc.y;
  doc.font('Helvetica').fontSize(size).fillColor('#111').text('•', PAGE.left + 4, y).text(text, PAGE.left + 16, y, { width: PAGE.width - 16 });
}

/** A table column: its header, width and alignment. */
export type Column = { label: string; width: number; align?: 'left' | 'center' | 'right' };

/** A table cell: text, optionally coloured by a state. */
export type TableCell = string | { text: string; state?: CellState; bold?: boolean };

const cellText = (c: TableCell) => (typeof c === 'string' ? c : c.text);

/** Draws a table from the current position; a row that does not fit starts a new page and repeats the header. */
export function table(doc: Doc, columns: Column[], rows: TableCell[][], size = 8): void {
  const pad = 3;
  const drawRow = (cells: TableCell[], header: boolean) => {
    const font = (c: TableCell) => (header || (typeof c !== 'string' && c.bold) ? 'Helvetica-Bold' : 'Helvetica');
    const heights = cells.map((c, i) => doc.font(font(c)).fontSize(size).heightOfString(cellText(c) || ' ', { width: columns[i].width - 2 * pad }));
    const h = Math.max(...heights) + 2 * pad;
    if (doc.y + h > PAGE.bottom) {
      doc.addPage();
      if (!header) drawRow(columns.map((c) => c.label), true);
    }
    const y = doc.y;
    let x = PAGE.left;
    cells.forEach((c, i) => {
      const w = columns[i].width;
      const state = typeof c === 'string' ? undefined : c.state;
      const colours = state ? STATE_COLOURS[state] : null;
      doc.save().rect(x, y, w, h).fillAndStroke(header ? '#e4e8ec' : (colours?.fill ?? '#ffffff'), '#b8c0c8').restore();
      doc.font(font(c)).fontSize(size).fillColor(colours?.ink ?? '#111').text(cellText(c), x + pad, y + pad, { width: w - 2 * pad, align: columns[i].align ?? 'left' });
      x += w;
    });
    doc.x = PAGE.left;
    doc.y = y + h;
  };
  drawRow(columns.map((c) => c.label), true);
  for (const r of rows) drawRow(r, false);
  doc.fillColor('#111');
  doc.moveDown(0.4);
}
