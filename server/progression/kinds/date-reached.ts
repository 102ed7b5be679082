/** "Date reached": the stage's window has opened (its start date, or a given date, has arrived). */
import { z } from 'zod';
import type { Evaluation, RequirementKind } from '../types';
import { answerAll, londonDate, spokenDate } from './answers';

const params = z.object({ date: z.iso.date({ message: 'must be a date as YYYY-MM-DD' }).optional() }).strict();

/** Met on or after the stage's start date (UK calendar); a stage without a date is always open. */
export const dateReached: RequirementKind<typeof params> = {
  params,
  describe: (p, stage) => {
    const d = p.date ?? stage.startsOn;
    return d ? `Opens on ${d}` : 'Opens when the cohort starts';
  },
  form: { title: 'A date has arrived', fields: { date: { label: 'Opens on', hint: 'Leave empty to open on the stage’s first day.' } } },
  async evaluate({ items, now }) {
    const today = londonDate(now);
    // The answer is the same for every candidate of a stage: work it out once per item.
    const perItem = new Map<string, Evaluation>();
    return answerAll(items, (item) => {
      let answer = perItem.get(item.stage.id);
      if (!answer) {
        const opens = item.params.date ?? item.stage.startsOn;
        answer = !opens
          ? { met: true, reason: 'This stage has no start date.' }
          : opens <= today
            ? { met: true, reason: `Opened on ${spokenDate(opens, now)}.` }
            : { met: false, reason: `Opens on ${spokenDate(opens, now)}.` };
        perItem.set(item.stage.id, answer);
      }
      return answer;
    });
  },
};
