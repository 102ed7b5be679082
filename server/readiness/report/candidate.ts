/** One candidate's pages in the inspector report: stages with dates, competencies with who signed and countersigned
 * and the evidence in words, waivers with reasons, and the final readiness sign-off with any override reason. */
import { sayDay } from '../../exports/words';
import { ratingWords, signoffStatusWords } from '../../exports/words';
import { sayDate, type CandidateReadiness, type CellState, type CohortReadiness } from '../model';
import { candidateStateLabel } from '../presenters';
import { readinessOutlook } from '../projection';
import type { SignoffRecord, WaiverRecord } from '../records';
import { bullet, heading, para, table, type Doc, PAGE, type TableCell } from './kit';

/** What a candidate's page is drawn from. */
export type CandidatePageInput = {
  cohort: CohortReadiness;
  candidate: CandidateReadiness;
  signoffs: SignoffRecord[];
  evidence: ReadonlyMap<string, string[]>;
  waivers: WaiverRecord[];
  /** Lines from stage modules about this candidate (e.g. the final readiness sign-off), by section title. */
  sections: { title: string; lines: string[] }[];
  today: string;
  /** The organisation's time zone. */
  timeZone: string;
};

const signoffState: Record<string, CellState> = { signed: 'complete', awaiting_countersign: 'in_progress', pending: 'in_progress', more_evidence: 'in_progress', declined: 'at_risk', revoked: 'blocked' };
const window = (s: { startsOn: string | null; endsOn: string | null }) => `${s.startsOn ? sayDate(s.startsOn) : 'open'} – ${s.endsOn ? sayDate(s.endsOn) : 'open'}`;

/** Draws one candidate, starting on a new page. */
export function candidatePage(doc: Doc, input: CandidatePageInput): void {
  const { cohort, candidate: c } = input;
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111').text(c.name, PAGE.left, doc.y, { width: PAGE.width });
  doc.font('Helvetica-Bold').fontSize(11).fillColor(c.ready ? '#1d5c33' : '#6b4200').text(c.ready ? 'Ready to deliver' : `Not yet ready to deliver — ${candidateStateLabel(c.state).toLowerCase()}`);
  doc.fillColor('#111').moveDown(0.3);
  para(doc, `${c.stagesDone} of ${cohort.stages.length} stages complete; ${c.competenciesSigned} of ${cohort.competencies.length} required competencies signed off.`);
  if (!c.ready) {
    const outlook = readinessOutlook(c, cohort, input.today);
    heading(doc, 'What would make them ready', 11);
    for (const g of outlook.gaps) bullet(doc, g, 9);
    para(doc, outlook.projection, 9, 'Helvetica-Bold');
  }
  if (c.flags.length) {
    heading(doc, 'Flags', 11);
    for (const f of c.flags) bullet(doc, f.message, 9);
  }

  heading(doc, 'Stages', 12);
  table(
    doc,
    [{ label: 'Stage', width: 150 }, { label: 'Window', width: 140 }, { label: 'Status', width: 115 }, { label: 'Completed on', width: 90 }],
    cohort.stages.map((s, i) => {
      const cell = c.stages[i];
      return [`${s.position}. ${s.title}`, window(s), { text: cell.label, state: cell.state }, cell.state === 'complete' && cell.at !== null ? sayDay(cell.at, input.timeZone) : cell.state === 'complete' ? 'Met its requirements' : '—'];
    }),
  );

  heading(doc, 'Competencies', 12);
  const latest = new Map<string, SignoffRecord>();
  for (const r of input.signoffs) latest.set(r.competencyCode, r);
  const rows: TableCell[][] = cohort.competencies.map((k) => {
    const r = latest.get(k.code);
    latest.delete(k.code);
    const name = `${k.code} ${k.name}${k.safetyCritical ? ' (safety-critical)' : ''}`;
    return r ? signoffRow(name, r, input.evidence.get(r.id) ?? [], input.timeZone) : [name, { text: 'Not requested yet', state: 'not_started' }, '—', '—'];
  });
  for (const r of latest.values()) rows.push(signoffRow(`${r.competencyCode} ${r.competencyName} (not required of this cohort)`, r, input.evidence.get(r.id) ?? [], input.timeZone));
  table(doc, [{ label: 'Competency', width: 125 }, { label: 'Outcome', width: 100 }, { label: 'Signed and countersigned', width: 120 }, { label: 'Evidence', width: 150 }], rows);

  heading(doc, 'Waivers', 12);
  if (!input.waivers.length) para(doc, 'No waivers were used.', 9);
  for (const w of input.waivers) {
    bullet(doc, `${w.stageTitle} (${w.scope === 'stage' ? 'the whole stage' : 'one of its requirements'}) waived by ${w.mentorName} on ${sayDay(w.at, input.timeZone)}. Reason: ${w.reason}`, 9);
    if (w.withdrawal) para(doc, `      Withdrawn by ${w.withdrawal.by} on ${sayDay(w.withdrawal.at, input.timeZone)}: ${w.withdrawal.reason}. It no longer counts.`, 9);
  }

  heading(doc, 'Final readiness sign-off', 12);
  const finals = input.sections.flatMap((s) => s.lines);
  if (!finals.length) para(doc, 'Not yet signed off as ready to deliver.', 9);
  for (const l of finals) bullet(doc, l, 9);
}

function signoffRow(name: string, r: SignoffRecord, evidence: string[], zone: string): TableCell[] {
  const rating = ratingWords(r.rating, r.ratingLevels);
  return [name, { text: `${signoffStatusWords(r.status)}${rating ? ` — ${rating}` : ''}`, state: signoffState[r.status] ?? 'in_progress' }, whoDecided(r, zone), evidence.length ? evidence.join('\n') : 'None cited'];
}

/** Who signed, who countersigned (or that a second mentor still must), and who declined, asked for more or revoked,
 * with the days, in words: the sign-off's "Signed and countersigned" cell. */
export function whoDecided(r: Pick<SignoffRecord, 'status' | 'signedBy' | 'signedAt' | 'countersignedBy' | 'submittedAt' | 'steps'>, zone: string): string {
  const last = (kind: string) => [...r.steps].reverse().find((s) => s.kind === kind);
  const on = (at: number | null | undefined) => (at === null || at === undefined ? '' : ` on ${sayDay(at, zone)}`);
  const signStep = last('sign_off');
  const signer = r.signedBy ?? signStep?.by;
  const signed = signer ? `Signed by ${signer}${on(signStep?.at ?? r.signedAt)}` : '';
  const countersigned = r.countersignedBy ? `countersigned by ${r.countersignedBy}${on(last('countersign')?.at ?? r.signedAt)}` : '';
  switch (r.status) {
    case 'pending':
      return `Submitted${on(r.submittedAt)}; no mentor has decided yet`;
    case 'more_evidence': {
      const step = last('more_evidence');
      return step ? `${step.by} asked for more evidence${on(step.at)}` : 'More evidence was asked for';
    }
    case 'declined': {
      const step = last('decline');
      return step ? `Declined by ${step.by}${on(step.at)}` : 'Declined';
    }
    case 'awaiting_countersign':
      return `${signed || 'Signed'}; not yet countersigned — a second mentor${signer ? ` (not ${signer})` : ''} must countersign it`;
    case 'revoked': {
      const step = last('revoke');
      return [signed, countersigned, step ? `revoked by ${step.by}${on(step.at)}` : 'revoked'].filter(Boolean).join('; ');
    }
    default:
      return [signed || `Submitted${on(r.submittedAt)}`, countersigned].filter(Boolean).join('; ');
  }
}
