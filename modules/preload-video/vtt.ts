/** WebVTT captions: recognise a file by its signature, read its cues, and turn them into a readable transcript. */

/** The largest captions file accepted (a feature film's captions are about 100 KB). */
export const MAX_VTT_BYTES = 512 * 1024;

/** One caption cue: start and end in seconds and its text (markup removed). */
export type Cue = { start: number; end: number; text: string };

/** Whether the first bytes are a WebVTT file's: an optional byte-order mark, "WEBVTT", then a space, tab or line end. */
export function looksLikeVtt(head: Buffer): boolean {
  const start = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  if (head.subarray(start, start + 6).toString('latin1') !== 'WEBVTT') return false;
  const next = head[start + 6];
  return next === undefined || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d;
}

function seconds(stamp: string): number | null {
  const m = /^(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})$/.exec(stamp.trim());
  if (!m) return null;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) + Number(m[4]) / 1000;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: ' ', lrm: '', rlm: '' };

function plainText(line: string): string {
  return line.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|nbsp|lrm|rlm);/g, (_m, e: string) => ENTITIES[e]).trim();
}

/** The cues of a WebVTT document, in order; throws a sentence when a cue's timing line cannot be read. */
export function parseVtt(text: string): Cue[] {
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  const cues: Cue[] = [];
  for (const block of blocks.slice(1)) {
    const lines = block.split('\n').filter((l) => l.length);
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue; // NOTE, STYLE and REGION blocks carry no caption text
    const [from, rest] = lines[at].split('-->');
    const start = seconds(from);
    const end = seconds(rest.trim().split(/\s+/)[0] ?? '');
    if (start === null || end === null || end < start) throw new Error(`The timing line “${lines[at].slice(0, 60)}” cannot be read (write it like 00:01.000 --> 00:04.000).`);
    const body = lines.slice(at + 1).map(plainText).filter(Boolean).join(' ');
    if (body) cues.push({ start, end, text: body });
  }
  return cues;
}

/** A transcript from cues: consecutive repeats dropped, a new paragraph after a pause of two seconds or more. */
export function transcriptOf(cues: Cue[]): string {
  const paragraphs: string[][] = [];
  let lastEnd = -Infinity;
  let lastText = '';
  for (const cue of cues) {
    if (cue.text === lastText) continue;
    if (!paragraphs.length || cue.start - lastEnd >= 2) paragraphs.push([]);
    paragraphs[paragraphs.length - 1].push(cue.text);
    lastEnd = cue.end;
    lastText = cue.text;
  }
  return paragraphs.map((p) => p.join(' ')).join('\n\n');
}
