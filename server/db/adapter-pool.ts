/** The pool handed to @socket.io/postgres-adapter, wrapped so that closing the app always frees its LISTEN client. */
import type pg from 'pg';

/** A pool view for the adapter plus `close()`, which releases every client the adapter took. */
export type AdapterPool = { pool: pg.Pool; close(): void };

/**
 * The adapter connects its LISTEN client asynchronously and only releases the client it holds at close time: an
 * app closed while that connect is in flight leaks a checked-out client, and `pool.end()` then waits forever.
 * This view tracks those clients, destroys them on close, and parks any connect that completes after close.
 */
export function adapterPool(pool: pg.Pool): AdapterPool {
  const taken = new Set<pg.PoolClient>();
  let closed = false;
  const view = new Proxy(pool, {
    get(target, prop, receiver) {
      if (prop === 'connect') {
        return async () => {
          const client = await target.connect();
          if (closed) {
            client.release(true);
            // Never settle: the adapter would otherwise schedule reconnection timers after shutdown.
            return new Promise<never>(() => {});
          }
          taken.add(client);
          const release = client.release.bind(client);
          // Once the adapter gives the client back it belongs to the pool again: forget it.
          client.release = (err?: Error | boolean) => {
            taken.delete(client);
            release(err);
          };
          return client;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    pool: view,
    close() {
      closed = true;
      for (const client of [...taken]) client.release(true);
    },
  };
}
