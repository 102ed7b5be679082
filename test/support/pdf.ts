/** Reading the PDFs Cadre sends, as a person would: the text drawn on the pages. */
import { inflateSync } from 'node:zlib';
import type { Response } from 'supertest';
import type { TestApp } from './app';

const winAnsiExtras: Record<number, string> = { 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x96: '–', 0x97: '—', 0x95: '•' };
/** Decodes the standard fonts' WinAnsi bytes. */
const winAnsi = (b: Buffer) => [...b].map((c) => winAnsiExtras[c] ?? String.fromCharCode(c)).join('');

/** The text drawn in a PDF: every string shown by Tj/TJ in every content stream, one line per text operator. */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const out: string[] = [];
  const streams = /stream\r?\n([\s\S]*?)\r?\nendstream/g;
  for (let m = streams.exec(raw); m; m = streams.exec(raw)) {
    let body = m[1];
    if (!/\bTJ\b|\bTj\b/.test(body)) {
      try {
        body = inflateSync(Buffer.from(body, 'latin1')).toString('latin1');
      } catch {
        continue;
      }
    }
    for (const op of body.matchAll(/\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj/g)) {
      const parts = op[1] !== undefined ? [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => x[1]) : [op[2]];
      out.push(parts.map((h) => winAnsi(Buffer.from(h, 'hex'))).join(''));
    }
  }
  return out.join('\n');
}

/** The body of a response fetched with `asBuffer`. */
export const binary = (res: Response) => res.body as Buffer;
/** GETs `url` and keeps the body as a Buffer. */
export const asBuffer = (agent: ReturnType<TestApp['anonymous']>, url: string) =>
  agent.get(url).buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });

/** The PDF's text as one line of words (lines that wrap are joined), for sentences that span lines. */
export function pdfWords(pdf: Buffer): string {
  // pdfkit breaks long words at hyphens: a line ending in "-" continues the same word on the next line.
  return pdfText(pdf)
    .replace(/-\n/g, '-')
    .replace(/\s+/g, ' ');
}
