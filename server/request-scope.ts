/** The current request's id, for code that runs on its behalf (commands, after-commit effects) without threading it
 * through every call. Set by the router and the socket helper around each handler. */
import { AsyncLocalStorage } from 'node:async_hooks';

type Scope = { requestId: string };

const store = new AsyncLocalStorage<Scope>();

/** Runs `fn` with `req.id` as the current request id. */
export function runInRequest<T>(req: { id?: string }, fn: () => T): T {
  return store.run({ requestId: req.id ?? 'none' }, fn);
}

/** The id of the request being handled, or undefined outside one (jobs, boot, tests). */
export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}
