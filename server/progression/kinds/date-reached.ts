/** "Date reached": the stage's window has opened (its start date, or a given date, has arrived). */
import { z } from 'zod';
import type { RequirementKind } from '../types';
import { answerAll, londonDate, spokenDate } from './answers';

const params = z.object({ date: z.iso.date({ message: 'must be a date as YYYY-MM-DD' }).optional() }).strict();

/** Met on or after the stage's start date (UK calendar); a stage without a date is always open. */
export const dateReached: RequirementKind<typeof params> = {
  params,
  describe: (p, stage) => {
    const d = p.date ?? stage.startsOn;
    return d ? `Opens on ${d}` : 'Opens when the cohort starts';
  },
  async evaluate({ items, now }) {
    const today = londonDate(now);
    return answerAll(items, (item) => {
      const opens = item.params.date ?? item.stage.startsOn;
      if (!opens) return { met: true, reason: 'This stage has no start date.' };
      return opens <= today ? { met: true, reason: `Opened on ${spokenDate(opens, now)}.` } : { met: false, reason: `Opens on ${spokenDate(opens, now)}.` };
    });
  },
};
