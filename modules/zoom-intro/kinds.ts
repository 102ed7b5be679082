/** The introduction's requirement kind (`zoom-intro:attendance`, used by the core `attendance` kind) and activity. */
import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { answerAll, withBatch, type BatchActivity, type Db, type RequirementKind, type StageRow } from '../../server/modules/kit';
import { zoomIntroAttendance, zoomIntroMeetings } from './schema';
import { spokenDateTime } from './time';

const params = z.object({ sessions: z.number().int().min(1).default(1) }).strict();

/** Met when the candidate is recorded present at the introduction meeting; two queries for every item. */
export const attendance: RequirementKind<typeof params> = {
  params,
  describe: () => 'Attend the Zoom introduction',
  form: { title: 'Zoom introduction attended', fields: { sessions: { label: 'How many sessions' } } },
  async evaluate({ db, items }) {
    if (!items.length) return new Map();
    const stageIds = items.map((i) => i.stage.id);
    const meetings = await db.select().from(zoomIntroMeetings).where(inArray(zoomIntroMeetings.cohortStageId, stageIds));
    const marks = await db
      .select({ stageId: zoomIntroAttendance.cohortStageId, candidateId: zoomIntroAttendance.candidateId, present: zoomIntroAttendance.present })
      .from(zoomIntroAttendance)
      .where(inArray(zoomIntroAttendance.cohortStageId, stageIds));
    const present = marks.filter((m) => m.present);
    const absent = new Set(marks.filter((m) => !m.present).map((m) => `${m.stageId}|${m.candidateId}`));
    const meetingOf = new Map(meetings.map((m) => [m.cohortStageId, m]));
    const attended = new Set(present.map((p) => `${p.stageId}|${p.candidateId}`));
    const when = new Map(meetings.map((m) => [m.cohortStageId, spokenDateTime(m.startsAt, m.timezone)]));
    return answerAll(items, (item, candidateId) => {
      const wanted = item.params.sessions;
      const done = attended.has(`${item.stage.id}|${candidateId}`) ? 1 : 0;
      const progress = { done, of: wanted };
      if (done >= wanted) return { met: true, reason: 'You attended the introduction meeting.', progress };
      const m = meetingOf.get(item.stage.id);
      if (!m) return { met: false, reason: 'Attend the introduction meeting — your mentor has not scheduled it yet.', progress };
      // A register that says "absent" is recorded: say so, kindly, with what to do — never "not recorded yet".
      if (absent.has(`${item.stage.id}|${candidateId}`)) return { met: false, reason: `You were marked absent from the introduction meeting on ${when.get(item.stage.id)}. Talk to your mentor about catching up.`, progress };
      return { met: false, reason: `Attend the introduction meeting on ${when.get(item.stage.id)} — not recorded yet.`, progress };
    });
  },
};

/** Candidates with any attendance record (joined on Zoom, or on the mentor's register) — one query for many stages. */
export const activityBatch: BatchActivity = async (db, items) => {
  const out = new Map<string, Set<string>>(items.map((i) => [i.stage.id, new Set<string>()]));
  if (!items.length) return out;
  const rows = await db
    .select({ stageId: zoomIntroAttendance.cohortStageId, candidateId: zoomIntroAttendance.candidateId })
    .from(zoomIntroAttendance)
    .where(inArray(zoomIntroAttendance.cohortStageId, items.map((i) => i.stage.id)));
  const wanted = new Map(items.map((i) => [i.stage.id, new Set(i.candidateIds)]));
  for (const r of rows) if (wanted.get(r.stageId)?.has(r.candidateId)) out.get(r.stageId)?.add(r.candidateId);
  return out;
};

/** The activity hook, with its batch form for the engine. */
export const activity = withBatch(async (db: Db, stage: StageRow, candidateIds: string[]) => (await activityBatch(db, [{ stage, candidateIds }])).get(stage.id) ?? new Set<string>(), activityBatch);
