/** Verification codes: 12 characters from a 30-character alphabet with no look-alikes (no 0/O, 1/I/L, U), grouped
 * in fours — about 59 bits from the system's CSPRNG, so a code cannot be guessed, yet a person can read it off paper. */
import { randomInt } from 'node:crypto';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A new random code, e.g. `7KQ4-M9XT-2HWC`. */
export function newCertificateCode(): string {
  let out = '';
  for (let i = 0; i < 12; i += 1) {
    if (i && i % 4 === 0) out += '-';
    out += ALPHABET[randomInt(ALPHABET.length)];
  }
  return out;
}

/** A typed code in its stored form (upper case, dashes where they belong), or null when it cannot be one. */
export function normaliseCode(typed: string): string | null {
  const plain = typed.toUpperCase().replace(/[\s-]/g, '');
  if (plain.length !== 12 || [...plain].some((c) => !ALPHABET.includes(c))) return null;
  return `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8)}`;
}
