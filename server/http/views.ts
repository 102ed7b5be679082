/** Handlebars set-up: the core layout, partials (core and namespaced per module) and helpers. */
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Express, Response } from 'express';
import { create, type ExpressHandlebars } from 'express-handlebars';
import { composeMessage } from './sentences';
import { dateFormat } from '../util/dates';
import { DEFAULT_TIME_ZONE, timeZoneWords } from '../util/time-zones';

/** The core views folder. */
export const viewsDir = path.resolve(__dirname, '../../views');

/** The zone a page shows times in: `timeZone` in the render context (res.locals: the person's, or the route subject's
 * cohort's or organisation's organisation), UK time when absent. */
function zoneOf(options: unknown): string {
  const zone = (options as { data?: { root?: { timeZone?: unknown } } } | undefined)?.data?.root?.timeZone;
  return typeof zone === 'string' ? zone : DEFAULT_TIME_ZONE;
}
/** A formatter per zone, found by the zone alone (a page formats dozens of dates). */
function perZone(options: Intl.DateTimeFormatOptions): (zone: string) => Intl.DateTimeFormat {
  const byZone = new Map<string, Intl.DateTimeFormat>();
  return (zone) => {
    let format = byZone.get(zone);
    if (!format) byZone.set(zone, (format = dateFormat('en-GB', { ...options, timeZone: zone })));
    return format;
  };
}
const dateFmt = perZone({ day: 'numeric', month: 'short', year: 'numeric' });
const dateTimeFmt = perZone({ day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

function toDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v === 'string' || typeof v === 'number') {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** 'in_progress' → 'In progress'; 'cohortId' → 'Cohort'; 'staffCount' → 'Staff count' (anything but text → ''). */
function humaniseWords(v: unknown): string {
  return typeof v === 'string'
    ? v
        .replace(/([a-z])Id\b/g, '$1')
        .replace(/([a-z])([A-Z])/g, (_m, a: string, b: string) => `${a} ${b.toLowerCase()}`)
        .replace(/[_-]+/g, ' ')
        .replace(/^./, (c) => c.toUpperCase())
    : '';
}

/** Template helpers (pure formatting; templates never decide permissions). */
export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (a: unknown) => !a,
  json: (v: unknown) => JSON.stringify(v ?? null).replace(/</g, '\\u003c'),
  /** "3 Mar 2026" in the page's time zone; a calendar date ('2026-03-03') as it is. */
  date: (v: unknown, options?: unknown) => {
    const d = toDate(v);
    if (!d) return '';
    return dateFmt(typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? 'UTC' : zoneOf(options)).format(d);
  },
  /** "3 Mar, 09:30" in the page's time zone. */
  datetime: (v: unknown, options?: unknown) => {
    const d = toDate(v);
    return d ? dateTimeFmt(zoneOf(options)).format(d) : '';
  },
  /** The page's time zone in words, for a form's label: "UK time", "New York time". */
  zoneWords: (options?: unknown) => timeZoneWords(zoneOf(options)),
  isoDate: (v: unknown) => toDate(v)?.toISOString().slice(0, 10) ?? '',
  percent: (done: unknown, of: unknown) => (Number(of) > 0 ? Math.round((Number(done) / Number(of)) * 100) : 0),
  plural: (n: unknown, one: string, many: string) => (Number(n) === 1 ? one : many),
  inc: (n: unknown) => Number(n) + 1,
  /** 'in_progress' → 'In progress'; field names too: 'cohortId' → 'Cohort', 'staffCount' → 'Staff count'. */
  humanise: (v: unknown) => humaniseWords(v),
  /** One field problem as the error summary says it: a message written as a sentence ("Choose a level for …") as it
   * is, a short one ("is required") after the field's name. */
  fieldSentence: (v: unknown) => {
    const p = (v ?? {}) as { field?: unknown; message?: unknown };
    const message = typeof p.message === 'string' ? p.message : '';
    if (/^[A-Z“"‘']/.test(message)) return message;
    // A field path may carry a row's id (levels.3f2b…): the person reads the field's name only.
    return `${humaniseWords(String(p.field ?? '').replace(/\.[0-9a-f]{8}-[0-9a-f-]{27}/gi, ''))}: ${message}`;
  },
  /** An error's message when it says more than its field sentences (which the summary lists, never twice). */
  errorLead: (error: unknown) => {
    const e = (error ?? {}) as { message?: unknown; fields?: { message?: unknown }[]; repeatsFields?: unknown };
    const message = typeof e.message === 'string' ? e.message : '';
    const fields = Array.isArray(e.fields) ? e.fields.map((f) => String(f.message ?? '')) : [];
    if (!fields.length) return message;
    return e.repeatsFields === true || message === composeMessage(fields) || fields.includes(message) ? '' : message;
  },
  /** Plain-words label for a stage or competency status. */
  statusLabel: (v: unknown) =>
    ({
      locked: 'Locked',
      open: 'Open',
      in_progress: 'In progress',
      complete: 'Complete',
      waived: 'Waived',
      pending: 'Waiting for a mentor',
      more_evidence: 'More evidence asked for',
      declined: 'Declined — resubmit',
      awaiting_countersign: 'Needs a countersignature',
      signed: 'Signed off',
      revoked: 'Revoked',
      at_risk: 'At risk',
      blocked: 'Blocked',
      not_started: 'Not started',
    })[String(v)] ?? String(v ?? ''),
};

/** Registers the handlebars engine on `app`; module view folders add namespaced partials. `cache` keeps compiled
 * templates and partials between requests (everywhere but `npm run dev`). */
export function setupViews(app: Express, moduleViews: { key: string; dir: string }[], options: { cache: boolean }): void {
  const partialsDirs: { dir: string; namespace?: string }[] = [{ dir: path.join(viewsDir, 'partials') }];
  for (const m of moduleViews) {
    const dir = path.join(m.dir, 'partials');
    if (existsSync(dir)) partialsDirs.push({ dir, namespace: m.key });
  }
  const hbs = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    // The published types demand precompiled templates in each entry; the library accepts { dir, namespace }.
    partialsDir: partialsDirs as unknown as string[],
    helpers,
  });
  // The kept engine hands back a kept page as bytes (see `renderKept`); express's res.render sends whichever it gets.
  type Engine = Parameters<Express['engine']>[1];
  if (options.cache) {
    const kept = keptEngine(hbs, path.join(viewsDir, 'layouts', 'main.hbs'));
    app.engine('hbs', kept.engine as unknown as Engine);
    keptPages.set(app, kept.keptPage);
  } else app.engine('hbs', hbs.engine);
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);
  if (options.cache) app.enable('view cache');
  else app.disable('view cache');
}

type Template = (context: unknown, options: { helpers: unknown; partials: unknown }) => string;

const KEPT_BODIES_PER_MODEL = 16;
/** `keptBody`: the model `renderKept` keeps the page with; `keptView`: the view's name, as renderKept knows it. */
type KeptContext = { keptBody?: unknown; keptView?: string; timeZone?: unknown; csrfToken?: unknown };
/** What the layout (views/layouts/main.hbs, partials/nav-links) reads besides the body: its kept shell's key.
 * test/server/views-engine.test.ts fails when the layout reads anything else. */
export const LAYOUT_READS = ['title', 'csrfToken', 'user', 'provider', 'menu'] as const;
type ShellContext = KeptContext & { title?: unknown; user?: { name?: unknown }; provider?: unknown; menu?: Menu };
/** A menu as its kept layout's key reads it (a person's menu is the same object while it is the same, see mainMenu). */
type Menu = readonly { label: string; href: string; badge?: string; current?: boolean }[];
const menuKeys = new WeakMap<Menu, string>();
function menuKey(menu: Menu | undefined): string {
  if (!menu) return '';
  let key = menuKeys.get(menu);
  if (key === undefined) menuKeys.set(menu, (key = menu.map((m) => `${m.label}|${m.href}|${m.badge ?? ''}|${m.current ? 1 : 0}`).join('\n')));
  return key;
}
const bodyKey = (view: unknown, timeZone: unknown, csrfToken: unknown) => `${String(view)}\n${String(timeZone)}\n${String(csrfToken)}`;
const shellKey = (title: unknown, csrfToken: unknown, name: unknown, menu: Menu | undefined) => `${String(title)}\n${String(csrfToken)}\n${String(name)}\n${menuKey(menu)}`;
/** A kept part of a page, as text and as the bytes sent. */
type Kept = { text: string; bytes: Buffer };
const kept = (text: string): Kept => ({ text, bytes: Buffer.from(text) });
/** A kept page: the layout's kept parts around a kept body, as the bytes sent. */
const joined = (shell: { head: Kept; tail: Kept }, body: Kept) => Buffer.concat([shell.head.bytes, body.bytes, shell.tail.bytes]);
/** Stands for the body while the layout around a kept body renders once. */
const BODY_MARK = '\u0000cadre-body\u0000';

/**
 * Renders `view` with `model`, an object kept by a cache of its own (a `VersionedCache` entry), and keeps the page
 * with it: while the cache hands back the same object, the view is rendered once per time zone and session (whose
 * CSRF token its forms carry), and the layout around it once per person, title, token and menu (`LAYOUT_READS`); a
 * repeat view sends the kept parts' bytes joined. The view may read only the model, `@root.csrfToken` and the page's
 * time zone; a request that adds anything else to the page (a notice from the query, a form's errors) uses
 * `res.render`.
 */
export function renderKept(res: Response, view: string, model: object): void {
  // A kept page may come back as bytes (its kept parts joined, not encoded again): it is HTML all the same.
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  // Kept already: sent as it is, with nothing rendered or merged; else rendered (and kept) through express.
  const page = keptPages.get(res.app)?.(view, model as Record<string, unknown>, res.locals);
  if (page) res.send(page);
  else res.render(view, { ...model, keptBody: model, keptView: view });
}

/** Per app (with its view cache on): the page kept for a view, model and request's locals, if its body and layout both are. */
const keptPages = new WeakMap<object, (view: string, model: Record<string, unknown>, locals: Record<string, unknown>) => Buffer | undefined>();

/**
 * The engine with every compiled template and the partials kept once read: from the second render of a page on, it
 * renders synchronously (the view, then the layout around it, as express-handlebars does). express-handlebars, even
 * with its cache on, re-resolves and awaits every partial of every module on each render (about a tenth of a
 * millisecond a page, a twentieth of the progress page's server time).
 */
function keptEngine(hbs: ExpressHandlebars, layoutPath: string) {
  const templates = new Map<string, () => Template | Promise<Template>>();
  const templateOf = (file: string) => {
    let read = templates.get(file);
    if (!read) templates.set(file, (read = keptOnce(() => hbs.getTemplate(file, { cache: true }) as Promise<Template>)));
    return read();
  };
  const partialsOf = keptOnce(() => hbs.getPartials({ cache: true }) as Promise<Record<string, unknown>>);
  // Bodies rendered from a kept model (see `renderKept`), per model while it lives, by view, time zone and session token.
  const bodies = new WeakMap<object, Map<string, Kept>>();
  const bodyOf = (viewPath: string, view: Template, context: KeptContext, runtime: { helpers: unknown; partials: unknown }): Kept | string => {
    const model = context.keptBody;
    if (!model || typeof model !== 'object') return view(context, runtime).trim();
    let byVariant = bodies.get(model);
    if (!byVariant) bodies.set(model, (byVariant = new Map()));
    const variant = bodyKey(context.keptView ?? viewPath, context.timeZone, context.csrfToken);
    let body = byVariant.get(variant);
    if (body === undefined) {
      body = kept(view(context, runtime).trim());
      // A model lives until its data changes; a busy one seen from many sessions keeps the latest few of them.
      if (byVariant.size >= KEPT_BODIES_PER_MODEL) byVariant.delete(byVariant.keys().next().value as string);
      byVariant.set(variant, body);
    }
    return body;
  };
  // The layout around a kept body, per person (the actor, kept by its own cache), as the text before and after it.
  const shells = new WeakMap<object, Map<string, { provider: unknown; head: Kept; tail: Kept }>>();
  const shellOf = (layout: Template, context: ShellContext, runtime: { helpers: unknown; partials: unknown }) => {
    const person = context.user;
    if (!person || typeof person !== 'object') return undefined;
    const key = shellKey(context.title, context.csrfToken, person.name, context.menu);
    let mine = shells.get(person);
    if (!mine) shells.set(person, (mine = new Map()));
    let shell = mine.get(key);
    if (!shell || shell.provider !== context.provider) {
      const whole = layout({ ...context, body: BODY_MARK }, runtime).trim();
      const at = whole.indexOf(BODY_MARK);
      if (at < 0 || whole.includes(BODY_MARK, at + 1)) return undefined;
      shell = { provider: context.provider, head: kept(whole.slice(0, at)), tail: kept(whole.slice(at + BODY_MARK.length)) };
      if (mine.size >= KEPT_BODIES_PER_MODEL) mine.delete(mine.keys().next().value as string);
      mine.set(key, shell);
    }
    return shell;
  };
  const render = (viewPath: string, view: Template, layout: Template, context: object, runtime: { helpers: unknown; partials: unknown }) => {
    const body = bodyOf(viewPath, view, context, runtime);
    if (typeof body === 'string') return layout({ ...context, body }, runtime).trim();
    // A kept body's layout is kept too: the page is its kept parts' bytes, joined (rendered and encoded once per
    // person, title, token and menu).
    const shell = shellOf(layout, context as ShellContext, runtime);
    return shell ? joined(shell, body) : layout({ ...context, body: body.text }, runtime).trim();
  };
  // What renderKept sends without rendering: read as express would merge them (the model over the request's locals).
  const keptPage = (view: string, model: Record<string, unknown>, locals: Record<string, unknown>): Buffer | undefined => {
    const read = (key: string) => (key in model ? model[key] : locals[key]);
    const person = read('user');
    if (!person || typeof person !== 'object') return undefined;
    const csrfToken = read('csrfToken');
    const body = bodies.get(model)?.get(bodyKey(view, read('timeZone'), csrfToken));
    const shell = body && shells.get(person)?.get(shellKey(read('title'), csrfToken, (person as { name?: unknown }).name, read('menu') as Menu | undefined));
    if (!body || !shell || shell.provider !== read('provider')) return undefined;
    return joined(shell, body);
  };
  const engine = (viewPath: string, context: object, callback: (err: unknown, html?: string | Buffer) => void): void => {
    const view = templateOf(viewPath);
    const layout = templateOf(layoutPath);
    const all = partialsOf();
    if (typeof view === 'function' && typeof layout === 'function' && !(all instanceof Promise)) {
      let html: string | Buffer;
      try {
        html = render(viewPath, view, layout, context, { helpers: hbs.helpers, partials: all });
      } catch (err) {
        return callback(err);
      }
      return callback(null, html);
    }
    // A template that throws rejects the chain, so its error reaches the callback (never an unhandled rejection).
    Promise.all([view, layout, all])
      .then(([v, l, p]) => render(viewPath, v, l, context, { helpers: hbs.helpers, partials: p }))
      .then((html) => callback(null, html), callback);
  };
  return { engine, keptPage };
}

/** `read()` once: its promise while it is pending, then its value, kept; a failed read is forgotten and tried again. */
function keptOnce<T>(read: () => Promise<T>): () => T | Promise<T> {
  let kept: { value: T } | Promise<T> | undefined;
  return () => {
    if (kept && !(kept instanceof Promise)) return kept.value;
    kept ??= read().then(
      (value) => ((kept = { value }), value),
      (err: unknown) => {
        kept = undefined;
        throw err;
      },
    );
    return kept;
  };
}
