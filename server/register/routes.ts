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
import { NO_SAMPLING, registerSampling, type RegisterSampling } from './sampling';
import { standingDetail, standingKey } from './status';

// A calendar date (no time of day), said as it is stored.
const words = (iso: string | null) => (iso ? sayDay(new Date(`${iso}T12:00:00Z`), 'UTC') : 'Not recorded');

type Row = RegisterEntry & { sampling: RegisterSampling };

/** The register with each trainer's sampling: three queries for the register, five for sampling. */
async function rowsOf(db: AppContext['db'], organisationId: string | null): Promise<Row[]> {
  const [entries, sampling] = await Promise.all([registerOf(db, organisationId), registerSampling(db, organisationId)]);
  return entries.map((e) => ({ ...e, sampling: sampling.get(standingKey(e.userId, e.organisationId)) ?? NO_SAMPLING }));
}

function present(rows: Row[]) {
  return rows.map((e) => ({ ...e, statusWords: STATUS_WORDS[e.status], statusDetail: standingDetail({ reason: e.statusReason }), levelWords: LEVEL_WORDS[e.level], statusStyle: `status-${e.status}` }));
}

function csvOf(rows: Row[]): string {
  return toCsv([
    ['Organisation', 'Trainer', 'Level', 'Status', 'Why', 'Certificate code', 'Certificate expires', 'Refresher due', 'First aid (ILS) expires', 'Last observed', 'Observation due', 'Sampling'],
    ...rows.map((e) => [e.organisationName, e.name, LEVEL_WORDS[e.level], STATUS_WORDS[e.status], e.statusReason, e.certificateCode, words(e.certificateExpiresOn), words(e.refresherDueOn), words(e.firstAidExpiresOn), e.sampling.lastObservedOn ? words(e.sampling.lastObservedOn) : 'Never', e.sampling.dueNow ? 'Yes' : 'No', e.sampling.words]),
  ]);
}

/** Mounts the register pages. */
export function registerRoutes(registry: RouteRegistry, ctx: AppContext) {
  const org = registry.router('/organisations/:organisationId/register');
  const all = registry.router('/register');

  const render = (res: Response, title: string, entries: Row[], extra: { organisation?: { id: string; name: string }; csv: string }) =>
    res.render('register/list', { title, entries: present(entries), lapsed: entries.filter((e) => e.status === 'lapsed').length, ...extra });

  org.get('/', { summary: 'An organisation’s trainer register: each trainer’s status, certificate, refresher and first aid', authorize: onOrganisation(ctx.db, 'register:view') }, async ({ subject }, _req, res) =>
    render(res, `Trainer register — ${subject.name}`, await rowsOf(ctx.db, subject.id), { organisation: subject, csv: `/organisations/${subject.id}/register/register.csv` }),
  );
  org.get('/register.csv', { summary: 'An organisation’s trainer register as CSV', produces: 'text/csv', authorize: onOrganisation(ctx.db, 'register:view') }, async ({ subject }, _req, res) =>
    sendCsv(res, `trainer-register-${fileSlug(subject.name)}.csv`, csvOf(await rowsOf(ctx.db, subject.id))),
  );
  all.get('/', { summary: 'The provider’s trainer register: every client organisation’s trainers', authorize: onProvider('provider:view') }, async (_input, _req, res) =>
    render(res, 'Trainer register', await rowsOf(ctx.db, null), { csv: '/register/register.csv' }),
  );
  all.get('/register.csv', { summary: 'The provider’s whole trainer register as CSV', produces: 'text/csv', authorize: onProvider('provider:view') }, async (_input, _req, res) =>
    sendCsv(res, 'trainer-register.csv', csvOf(await rowsOf(ctx.db, null))),
  );
  return [org, all];
}
