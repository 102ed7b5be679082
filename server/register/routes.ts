/** The trainer register's pages: an organisation's register (its leads, the provider's admins), the provider's whole
 * register, and the CSV export of either. */
import type { Response } from 'express';
import type { AppContext } from '../context';
import { fileSlug, sendCsv, toCsv } from '../exports/csv';
import { sayDay } from '../exports/words';
import { onProvider } from '../http/grants';
import type { RouteRegistry } from '../http/router';
import { onOrganisation } from '../impact/grants';
import { LEVEL_WORDS, registerOf, STATUS_WORDS, type RegisterEntry } from './model';

const words = (iso: string | null) => (iso ? sayDay(new Date(`${iso}T12:00:00Z`)) : 'Not recorded');

function present(entries: RegisterEntry[]) {
  return entries.map((e) => ({ ...e, statusWords: STATUS_WORDS[e.status], levelWords: LEVEL_WORDS[e.level], statusStyle: `status-${e.status}` }));
}

function csvOf(entries: RegisterEntry[]): string {
  return toCsv([
    ['Organisation', 'Trainer', 'Level', 'Status', 'Why', 'Certificate code', 'Certificate expires', 'Refresher due', 'First aid (ILS) expires'],
    ...entries.map((e) => [e.organisationName, e.name, LEVEL_WORDS[e.level], STATUS_WORDS[e.status], e.statusReason, e.certificateCode, words(e.certificateExpiresOn), words(e.refresherDueOn), words(e.firstAidExpiresOn)]),
  ]);
}

/** Mounts the register pages. */
export function registerRoutes(registry: RouteRegistry, ctx: AppContext) {
  const org = registry.router('/organisations/:organisationId/register');
  const all = registry.router('/register');

  const render = (res: Response, title: string, entries: RegisterEntry[], extra: { organisation?: { id: string; name: string }; csv: string }) =>
    res.render('register/list', { title, entries: present(entries), lapsed: entries.filter((e) => e.status === 'lapsed').length, ...extra });

  org.get('/', { summary: 'An organisation’s trainer register: each trainer’s status, certificate, refresher and first aid', authorize: onOrganisation(ctx.db, 'register:view') }, async ({ subject }, _req, res) =>
    render(res, `Trainer register — ${subject.name}`, await registerOf(ctx.db, subject.id), { organisation: subject, csv: `/organisations/${subject.id}/register/register.csv` }),
  );
  org.get('/register.csv', { summary: 'An organisation’s trainer register as CSV', produces: 'text/csv', authorize: onOrganisation(ctx.db, 'register:view') }, async ({ subject }, _req, res) =>
    sendCsv(res, `trainer-register-${fileSlug(subject.name)}.csv`, csvOf(await registerOf(ctx.db, subject.id))),
  );
  all.get('/', { summary: 'The provider’s trainer register: every client organisation’s trainers', authorize: onProvider('provider:view') }, async (_input, _req, res) =>
    render(res, 'Trainer register', await registerOf(ctx.db, null), { csv: '/register/register.csv' }),
  );
  all.get('/register.csv', { summary: 'The provider’s whole trainer register as CSV', produces: 'text/csv', authorize: onProvider('provider:view') }, async (_input, _req, res) =>
    sendCsv(res, 'trainer-register.csv', csvOf(await registerOf(ctx.db, null))),
  );
  return [org, all];
}
