/** How the app reaches its routers: one dispatch over every mounted router (by the shape of the request's path), and
 * the every-request steps grouped as single layers. */
import { Router, type RequestHandler } from 'express';

/** A layer of an express router, as far as `whenRouted` and `routerDispatch` read it. */
type RouterLayer = { route?: unknown; rawPath?: unknown; match(path: string): boolean };

/**
 * `router` behind `guards`, entered only when one of its routes could match the request's path (or it has
 * middleware of its own, which may handle any path). Trying each router's guards and routes in turn cost more per
 * request than rendering the page.
 */
export function whenRouted(router: Router, guards: RequestHandler[]): RequestHandler {
  const inner = Router({ mergeParams: true });
  inner.use(...guards, router);
  const layers = router.stack as unknown as RouterLayer[];
  return (req, res, next) => (layers.some((layer) => !layer.route || layer.match(req.path)) ? inner(req, res, next) : next());
}

/** A router the app mounts at `prefix`, behind `guards` (such as `requireUser`). */
export type MountedRouter = { prefix: string; router: Router; guards: RequestHandler[] };

/** A path's segments as routing compares them (case-insensitively; a trailing slash does not count): '/Cohorts/3f…/' →
 * ['cohorts', '3f…'], '/' → []. */
function segmentsOf(path: string): string[] {
  const parts = path.toLowerCase().split('/');
  parts.shift();
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** The paths one route (or a middleware, `open`: deeper paths too) can answer: each segment a literal, or null for a
 * parameter (any text). */
type Shape = { segments: (string | null)[]; open: boolean };

/** A pattern's segments as a shape's, or undefined when its syntax matches more than segment by segment (wildcards,
 * optional parts, a parameter inside other text). */
function patternSegments(pattern: string): (string | null)[] | undefined {
  const out: (string | null)[] = [];
  for (const part of segmentsOf(pattern === '/' ? '' : pattern)) {
    if (/^:\w+$/.test(part)) out.push(null);
    else if (/[:*{}()[\]+?!\\]/.test(part)) return undefined;
    else out.push(part);
  }
  return out;
}

/** Every shape of path a mounted router can answer, or null when it may answer paths no shape says. */
function shapesOf({ prefix, router }: MountedRouter): Shape[] | null {
  const mountedAt = patternSegments(prefix);
  if (!mountedAt) return null;
  const shapes: Shape[] = [];
  for (const layer of router.stack as unknown as RouterLayer[]) {
    if (!layer.route) {
      shapes.push({ segments: mountedAt, open: true });
      continue;
    }
    for (const p of Array.isArray(layer.rawPath) ? (layer.rawPath as unknown[]) : [layer.rawPath]) {
      const own = typeof p === 'string' ? patternSegments(p) : undefined;
      if (!own) return null;
      shapes.push({ segments: [...mountedAt, ...own], open: false });
    }
  }
  return shapes;
}

const fits = (shape: Shape, path: string[]) =>
  (shape.open ? path.length >= shape.segments.length : path.length === shape.segments.length) && shape.segments.every((s, i) => s === null || s === path[i]);

/**
 * The app's routers as one middleware: each request tries, in mounting order, only the routers with a route (or a
 * middleware) whose path has the request's shape — the same literal segments where the route has literals, as many
 * segments — each as if mounted with `app.use(prefix, …)` behind its guards. Which router answers a path, and how, is
 * as if each were mounted in turn (the shapes only pass over routers that could not match); a path none answers
 * goes on to the app's not-found handler. The app mounts some seventy routers: walking every one of them for every
 * request cost about as much as the page's own work.
 */
export function routerDispatch(mounted: MountedRouter[]): RequestHandler {
  const handlers = mounted.map((m) => {
    const guarded = whenRouted(m.router, m.guards);
    // At the root nothing is trimmed from the path: no mount of its own is needed.
    if (!m.prefix || m.prefix === '/') return guarded;
    const outer = Router({ mergeParams: true });
    outer.use(m.prefix, guarded);
    return outer;
  });
  // Indexed at the first request, once every route is registered: by first segment (a parameter there: in every list).
  type Entry = { at: number; shapes: Shape[] | null };
  let index: { byFirst: Map<string, Entry[]>; anyFirst: Entry[] } | undefined;
  const indexed = () => {
    const entries: Entry[] = mounted.map((m, at) => ({ at, shapes: shapesOf(m) }));
    const firsts = new Set(entries.flatMap((e) => (e.shapes ?? []).map((s) => s.segments[0]).filter((s): s is string => typeof s === 'string')));
    const within = (e: Entry, first: string | undefined) => !e.shapes || e.shapes.some((s) => !s.segments.length || s.segments[0] === null || s.segments[0] === first);
    const byFirst = new Map([...firsts].map((first) => [first, entries.filter((e) => within(e, first))]));
    return { byFirst, anyFirst: entries.filter((e) => within(e, undefined)) };
  };
  return (req, res, next) => {
    index ??= indexed();
    const path = segmentsOf(req.path);
    const order = (index.byFirst.get(path[0]) ?? index.anyFirst).filter((e) => !e.shapes || e.shapes.some((s) => fits(s, path)));
    let at = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      if (at === order.length) return next();
      handlers[order[at++].at](req, res, step);
    };
    step();
  };
}

/**
 * Middleware run one after another as one layer of the app (each layer of an express router costs its path match,
 * parameter merging and bookkeeping, for every request): as express runs them — an error passed to `next`, thrown, or
 * rejected by a returned promise goes to the error handlers, skipping the rest.
 */
export function inSeries(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, next) => {
    let at = 0;
    const step = (err?: unknown): void => {
      if (err) return next(err);
      if (at === handlers.length) return next();
      const handler = handlers[at++];
      try {
        const ret = handler(req, res, step) as unknown;
        if (ret instanceof Promise) ret.catch((e: unknown) => next(e ?? new Error('Rejected without a reason')));
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}
