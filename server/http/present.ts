/** Presenters: the only way a JSON answer leaves a route. A presenter picks the fields a client may rely on (never a raw
 * row) and adds `can` flags computed by the policy; the router refuses to send anything that did not pass one. */

const PRESENTED = Symbol('presented');

/** A value shaped by a presenter. */
export type Presented<T = unknown> = T & { readonly [PRESENTED]: true };

/** What a handler answers: a JSON body with a status, or a 303 to another page. */
export type Reply = { kind: 'json'; status?: number; body?: Presented } | { kind: 'see-other'; location: string };

/** Marks `value` as presented (non-enumerable, so it never reaches the JSON). Use inside presenter functions. */
export function presented<T extends object>(value: T): Presented<T> {
  Object.defineProperty(value, PRESENTED, { value: true, enumerable: false });
  return value as Presented<T>;
}

/** Wraps a function that shapes data for clients into a presenter. */
export function presenter<A extends unknown[], T extends object>(fn: (...args: A) => T): (...args: A) => Presented<T> {
  return (...args: A) => presented(fn(...args));
}

/** True when `value` came from a presenter. */
export function isPresented(value: unknown): value is Presented {
  return !!value && typeof value === 'object' && (value as Record<symbol, unknown>)[PRESENTED] === true;
}

/** A JSON answer with the route's success status (or `status`). */
export function reply(body?: Presented, status?: number): Reply {
  return { kind: 'json', status, body };
}

/** A 303 See Other to `location` (after a form post). */
export function seeOther(location: string): Reply {
  return { kind: 'see-other', location };
}

/** For answers the route builds field by field (counts, results, messages) — never a database row. */
export const plain = presenter(<T extends object>(value: T) => value);
