/** What an uploaded file really is: magic bytes via file-type, plus the checks file-type leaves to us (DOCX, DOC). */
import { fileTypeFromBuffer } from 'file-type';

/** An evidence type Cadre accepts: its canonical MIME type, the extensions and declared types that may go with it. */
export type EvidenceType = { mime: string; label: string; extensions: string[]; declared: string[] };

/** The evidence types accepted: PDF, PNG, JPEG, WebP, MP4, WebM, MOV, DOCX and DOC. */
export const EVIDENCE_TYPES: EvidenceType[] = [
  { mime: 'application/pdf', label: 'PDF', extensions: ['pdf'], declared: ['application/pdf', 'application/x-pdf'] },
  { mime: 'image/png', label: 'PNG image', extensions: ['png'], declared: ['image/png'] },
  { mime: 'image/jpeg', label: 'JPEG image', extensions: ['jpg', 'jpeg'], declared: ['image/jpeg', 'image/jpg', 'image/pjpeg'] },
  { mime: 'image/webp', label: 'WebP image', extensions: ['webp'], declared: ['image/webp'] },
  { mime: 'video/mp4', label: 'MP4 video', extensions: ['mp4', 'm4v'], declared: ['video/mp4'] },
  { mime: 'video/webm', label: 'WebM video', extensions: ['webm'], declared: ['video/webm'] },
  { mime: 'video/quicktime', label: 'MOV video', extensions: ['mov', 'qt'], declared: ['video/quicktime', 'video/mov'] },
  {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    label: 'Word document',
    extensions: ['docx'],
    declared: ['application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  },
  { mime: 'application/msword', label: 'Word 97–2003 document', extensions: ['doc'], declared: ['application/msword'] },
];

/** A plain list for messages: "PDF, PNG image, …". */
export const ACCEPTED_LIST = EVIDENCE_TYPES.map((t) => t.label).join(', ');

/** The `accept` attribute for file inputs. */
export const ACCEPT_ATTRIBUTE = EVIDENCE_TYPES.flatMap((t) => t.extensions.map((e) => `.${e}`)).join(',');

const PROGRAMS: Record<string, string> = {
  exe: 'a Windows program',
  elf: 'a Linux program',
  macho: 'a macOS program',
  class: 'a Java program',
  msi: 'a Windows installer',
  deb: 'a software package',
  rpm: 'a software package',
};

/** Names of the entries in a ZIP file, read from its central directory (empty if it is not a well-formed ZIP). */
export function zipEntryNames(buf: Buffer): string[] {
  const min = Math.max(0, buf.length - 65_557);
  for (let i = buf.length - 22; i >= min; i--) {
    if (buf.readUInt32LE(i) !== 0x06054b50) continue;
    const count = buf.readUInt16LE(i + 10);
    let p = buf.readUInt32LE(i + 16);
    const names: string[] = [];
    for (let n = 0; n < count && p + 46 <= buf.length && buf.readUInt32LE(p) === 0x02014b50; n++) {
      const nameLen = buf.readUInt16LE(p + 28);
      const extraLen = buf.readUInt16LE(p + 30);
      const commentLen = buf.readUInt16LE(p + 32);
      names.push(buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
      p += 46 + nameLen + extraLen + commentLen;
    }
    return names;
  }
  return [];
}

/** The names in a ZIP's central directory (`count` entries), read from the directory's own bytes. */
export function centralDirectoryNames(cd: Buffer, count: number): string[] {
  const names: string[] = [];
  let p = 0;
  for (let n = 0; n < count && p + 46 <= cd.length && cd.readUInt32LE(p) === 0x02014b50; n++) {
    const nameLen = cd.readUInt16LE(p + 28);
    names.push(cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
  }
  return names;
}

/** Where a ZIP's central directory is, from the end-of-directory record in the file's last bytes (`tailStart` on). */
export function centralDirectoryOf(tail: Buffer): { offset: number; size: number; count: number } | null {
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== 0x06054b50) continue;
    return { count: tail.readUInt16LE(i + 10), size: tail.readUInt32LE(i + 12), offset: tail.readUInt32LE(i + 16) };
  }
  return null;
}

/** The Word document type (a ZIP whose entries include `word/…`). */
export const DOCX = EVIDENCE_TYPES[7];

/**
 * The sniffed evidence type, or a reason it is not acceptable (`program` when it is an executable). `zip` marks a ZIP
 * judged from its first bytes only: it is a Word document only if its directory (read once stored) has `word/` entries.
 */
export type Sniffed = { ok: true; type: EvidenceType; zip?: boolean } | { ok: false; what: string; program: boolean };

/** Identifies `buf` by its content alone; with `head`, `buf` is only the first bytes of the file. */
export async function sniff(buf: Buffer, options: { head?: boolean } = {}): Promise<Sniffed> {
  const found = await fileTypeFromBuffer(buf);
  if (!found) return { ok: false, what: 'a file type Cadre cannot recognise', program: false };
  if (PROGRAMS[found.ext]) return { ok: false, what: PROGRAMS[found.ext], program: true };
  if (options.head && found.ext === 'zip') return { ok: true, type: DOCX, zip: true };
  let mime: string = found.mime;
  if (found.ext === 'zip' && zipEntryNames(buf).some((n) => n.startsWith('word/'))) mime = EVIDENCE_TYPES[7].mime;
  if (found.ext === 'cfb') mime = 'application/msword';
  const type = EVIDENCE_TYPES.find((t) => t.mime === mime);
  return type ? { ok: true, type } : { ok: false, what: `a ${found.ext.toUpperCase()} file`, program: false };
}
