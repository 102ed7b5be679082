/** The trainer record page's presenter: the record in words, with `can` flags from the same rules the commands use. */
import { homeTimeZone, type Actor } from '../auth/actor';
import { presentCertificate } from '../credentials/present';
import { sayDayTime } from '../exports/words';
import { can } from '../policies';
import { LEVEL_WORDS, STATUS_WORDS } from './model';
import { mayPromote, mayReinstate, maySuspend } from './changes';
import type { TrainerRecordView } from './record';
import { standingDetail } from './status';

/** The address of a trainer's record page. */
export const recordHref = (organisationId: string, userId: string) => `/organisations/${organisationId}/trainers/${userId}`;

/** Hours in words: "1 hour", "2.5 hours". */
export const sayHours = (h: number) => `${Number.isInteger(h) ? h : h.toFixed(1)} ${h === 1 ? 'hour' : 'hours'}`;

/** What the record page template reads. */
export function presentRecord(view: TrainerRecordView, actor: Actor) {
  const { entry } = view;
  const subject = { type: 'trainer' as const, userId: entry.userId, organisationId: entry.organisationId };
  const own = actor.id === entry.userId;
  return {
    own,
    href: recordHref(entry.organisationId, entry.userId),
    registerHref: `/organisations/${entry.organisationId}/register`,
    seesRegister: can(actor, 'register:view', { type: 'organisation', id: entry.organisationId }),
    name: entry.name,
    organisationName: entry.organisationName,
    level: entry.level,
    levelWords: LEVEL_WORDS[entry.level],
    statusWords: STATUS_WORDS[entry.status],
    statusStyle: `status-${entry.status}`,
    statusReason: entry.statusReason,
    statusDetail: standingDetail({ reason: entry.statusReason }),
    refresherDueOn: entry.refresherDueOn,
    firstAidExpiresOn: entry.firstAidExpiresOn,
    certificates: view.certificates.map(presentCertificate),
    cpd: view.cpd.map((c) => {
      const href = `${recordHref(entry.organisationId, entry.userId)}/cpd/${c.id}`;
      return { id: c.id, doneOn: c.doneOn, hours: sayHours(Number(c.hours)), activity: c.activity, reflection: c.reflection, evidence: c.evidence, fileName: c.fileName, fileHref: c.fileId ? `${href}/file` : null, editHref: `${href}/edit` };
    }),
    cpdHoursYear: sayHours(view.cpdHoursYear),
    history: view.history.map((h) => ({ when: sayDayTime(h.at, homeTimeZone(actor)), by: h.byName ?? 'Cadre', change: h.change, reason: h.reason ?? '—', fileName: h.fileName, fileHref: h.fileId ? `${recordHref(entry.organisationId, entry.userId)}/changes/${h.id}/file` : null })),
    can: (() => {
      const manage = can(actor, 'trainer:manage', subject);
      return { manage, promote: manage && mayPromote(entry), suspend: manage && maySuspend(entry), reinstate: manage && mayReinstate(entry), keep: can(actor, 'trainer:keep', subject) };
    })(),
  };
}
