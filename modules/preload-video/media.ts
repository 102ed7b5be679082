/** Media helpers: recognise mp4/webm by their first bytes, read a duration from the header, parse HTTP ranges. */
import { open } from 'node:fs/promises';
import { fileTypeFromBuffer } from 'file-type';

/** The video types Cadre accepts, by detected MIME type. */
export const ACCEPTED_VIDEO_TYPES = new Set(['video/mp4', 'video/webm']);

async function readSlice(file: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** The MIME type recognised from a file's first bytes, or null when it is not an accepted video. */
export async function videoTypeOf(head: Buffer): Promise<string | null> {
  const type = await fileTypeFromBuffer(head);
  return type && ACCEPTED_VIDEO_TYPES.has(type.mime) ? type.mime : null;
}

/** The MIME type recognised from the file's magic bytes, or null when it is not an accepted video. */
export async function detectVideoType(file: string): Promise<string | null> {
  return videoTypeOf(await readSlice(file, 0, 4100));
}

function readVint(buf: Buffer, at: number): { value: number; length: number } | null {
  const first = buf[at];
  if (first === undefined || first === 0) return null;
  let length = 1;
  while (length <= 8 && !(first & (0x80 >> (length - 1)))) length++;
  let value = first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + (buf[at + i] ?? 0);
  return { value, length };
}

function webmDuration(head: Buffer): number | null {
  let scale = 1_000_000;
  const ts = head.indexOf(Buffer.from([0x2a, 0xd7, 0xb1]));
  if (ts >= 0) {
    const size = readVint(head, ts + 3);
    if (size && size.value <= 8) scale = head.readUIntBE(ts + 3 + size.length, size.value);
  }
  let at = head.indexOf(Buffer.from([0x44, 0x89]));
  while (at >= 0) {
    const size = readVint(head, at + 2);
    const start = at + 2 + (size?.length ?? 0);
    if (size && (size.value === 4 || size.value === 8) && start + size.value <= head.length) {
      const ticks = size.value === 4 ? head.readFloatBE(start) : head.readDoubleBE(start);
      if (Number.isFinite(ticks) && ticks > 0) return (ticks * scale) / 1e9;
    }
    at = head.indexOf(Buffer.from([0x44, 0x89]), at + 1);
  }
  return null;
}

function mp4Duration(chunk: Buffer): number | null {
  const at = chunk.indexOf('mvhd');
  if (at < 0) return null;
  const version = chunk[at + 4];
  const base = at + 8;
  if (version === 1 && base + 28 <= chunk.length) {
    const timescale = chunk.readUInt32BE(base + 16);
    const duration = Number(chunk.readBigUInt64BE(base + 20));
    return timescale ? duration / timescale : null;
  }
  if (base + 16 <= chunk.length) {
    const timescale = chunk.readUInt32BE(base + 8);
    const duration = chunk.readUInt32BE(base + 12);
    return timescale ? duration / timescale : null;
  }
  return null;
}

/** Reads `length` bytes at `position` of a stored file (a ranged read from storage or the disk). */
export type SliceReader = (position: number, length: number) => Promise<Buffer>;

/** Reads the duration in seconds from a WebM or MP4 header (the MP4 movie header may sit at either end). */
export async function probeDurationWith(read: SliceReader, mime: string, size: number): Promise<number | null> {
  const window = 1024 * 1024;
  const head = await read(0, Math.min(size, window));
  if (mime === 'video/webm') return webmDuration(head);
  return mp4Duration(head) ?? (size > window ? mp4Duration(await read(size - window, window)) : null);
}

/** The duration of a video file on disk. */
export async function probeDuration(file: string, mime: string, size: number): Promise<number | null> {
  return probeDurationWith((position, length) => readSlice(file, position, length), mime, size);
}

/** A byte range to send, `unsatisfiable` (answer 416), or null (no usable Range header: send everything). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return header.trim().startsWith('bytes=') && !header.includes(',') ? 'unsatisfiable' : null;
  const [, a, b] = m;
  if (a === '' && b === '') return 'unsatisfiable';
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
