/** The main menu, one list for everyone: core's entries and the installed modules' (`nav` in a manifest). An entry's
 * path may name `:cohortId` and `:userId`; they are filled from the person's own cohort where they hold one of the
 * entry's roles, so a candidate's menu goes straight to their programme, competencies, assessments and live notes. */
import type { Actor } from './auth/actor';
import type { Grantee } from './policies';
import { impactNav } from './impact/nav';
import type { InstalledModule, ModuleNavEntry } from './modules/registry';

/** One menu entry as the layout draws it. */
export type MenuEntry = { label: string; href: string; current: boolean; badge?: 'notifications' };

/** Core's entries for a candidate: their record, in the order they use it. */
const CANDIDATE_ENTRIES: ModuleNavEntry[] = [
  { label: 'My programme', href: '/cohorts/:cohortId/candidates/:userId', for: ['candidate'] },
  { label: 'My competencies', href: '/cohorts/:cohortId/candidates/:userId/competencies', for: ['candidate'] },
  { label: 'My assessments', href: '/cohorts/:cohortId/candidates/:userId/assessments', for: ['candidate'] },
  { label: 'My certificates', href: '/certificates/mine', for: ['candidate'] },
];

function holds(actor: Actor, g: Grantee, cohortId?: string): boolean {
  if (g === 'admin') return actor.isAdmin;
  const inCohort = (r: { cohortId: string }) => cohortId === undefined || r.cohortId === cohortId;
  if (g === 'lead') return actor.orgRoles.some((r) => r.role === 'lead') || actor.cohortRoles.some((r) => r.role === 'lead' && inCohort(r));
  return actor.cohortRoles.some((r) => r.role === g && inCohort(r));
}

/** The entry's path for this person, or null when it is not theirs (they hold none of its roles, or it names a cohort
 * and they hold its roles in none). With several such cohorts the latest joined is used (the last listed). */
export function entryHref(entry: ModuleNavEntry, actor: Actor): string | null {
  if (!entry.for.some((g) => holds(actor, g))) return null;
  if (!entry.href.includes(':cohortId') && !entry.href.includes(':userId')) return entry.href;
  const cohort = [...actor.cohortRoles].reverse().find((r) => entry.for.some((g) => holds(actor, g, r.cohortId)));
  if (!cohort && entry.href.includes(':cohortId')) return null;
  return entry.href.replaceAll(':cohortId', cohort?.cohortId ?? '').replaceAll(':userId', actor.id);
}

/** Each actor's entries, made once: an actor is replaced, never changed, when the person's roles change (the actor
 * cache), so its menu is kept with it. */
type Entries = { entries: Omit<MenuEntry, 'current'>[]; byCurrent: Map<number, readonly MenuEntry[]> };
const entriesOf = new WeakMap<Actor, WeakMap<InstalledModule[], Entries>>();

/** The main menu for `actor` on `path` (empty when nobody is logged in); the longest entry `path` falls under is current. */
export function mainMenu(modules: InstalledModule[], actor: Actor | undefined, path: string): readonly MenuEntry[] {
  if (!actor) return [];
  let byModules = entriesOf.get(actor);
  if (!byModules) entriesOf.set(actor, (byModules = new WeakMap()));
  let kept = byModules.get(modules);
  if (!kept) byModules.set(modules, (kept = { entries: menuEntries(modules, actor), byCurrent: new Map() }));
  const { entries, byCurrent } = kept;
  let current = -1;
  entries.forEach((e, i) => {
    if ((path === e.href || path.startsWith(`${e.href}/`)) && (current < 0 || e.href.length > entries[current].href.length)) current = i;
  });
  // The same menu for the same person and current entry, every time (read it, never change it).
  let menu = byCurrent.get(current);
  if (!menu) byCurrent.set(current, (menu = Object.freeze(entries.map((e, i) => Object.freeze({ ...e, current: i === current })))));
  return menu;
}

function menuEntries(modules: InstalledModule[], actor: Actor): Omit<MenuEntry, 'current'>[] {
  const flags = impactNav(actor);
  const onlyCandidate = !actor.isAdmin && !actor.orgRoles.length && actor.cohortRoles.every((r) => r.role === 'candidate');
  const candidateCohorts = new Set(actor.cohortRoles.filter((r) => r.role === 'candidate').map((r) => r.cohortId));
  const entries: Omit<MenuEntry, 'current'>[] = [];
  const add = (label: string, href: string | null, badge?: MenuEntry['badge']) => {
    if (href) entries.push(badge ? { label, href, badge } : { label, href });
  };
  if (actor.isAdmin) add('Administration', '/admin');
  for (const e of CANDIDATE_ENTRIES) add(e.label, entryHref(e, actor));
  // Only people on a register have a trainer record: one goes straight to it, several to a short list.
  if (actor.trainerOf?.length) add('My trainer record', actor.trainerOf.length === 1 ? `/organisations/${actor.trainerOf[0]}/trainers/${actor.id}` : '/trainers/mine');
  // A candidate in one cohort has no use for a list of cohorts; anyone else (or a candidate in several) does.
  if (!onlyCandidate || candidateCohorts.size > 1) add('Cohorts', '/cohorts');
  if (flags.impact) add('Impact', '/impact');
  if (flags.courses) add('My courses', '/courses');
  // The trainer register: the provider's whole register, or a lead's own client organisation's.
  const leadOf = actor.orgRoles.find((m) => m.role === 'lead' && m.kind === 'client');
  if (actor.isAdmin) add('Trainer register', '/register');
  else if (leadOf) add('Trainer register', `/organisations/${leadOf.organisationId}/register`);
  // A lead's organisation settings (its time zone); admins reach every organisation's from /admin.
  if (!actor.isAdmin && leadOf) add('Organisation settings', `/organisations/${leadOf.organisationId}/settings`);
  for (const m of modules) for (const e of m.nav) add(e.label, entryHref(e, actor));
  add('Notifications', '/notifications', 'notifications');
  return entries;
}
