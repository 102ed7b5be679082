/** "Previous stage complete": the stage before this one (or a named earlier position) is complete or waived. */
import { z } from 'zod';
import type { RequirementKind } from '../types';
import { answerAll } from './answers';

const params = z.object({ position: z.number().int().min(1).optional() }).strict();

/** Met when the earlier stage (default: the one just before) is complete or waived for the candidate. */
export const previousStageComplete: RequirementKind<typeof params> = {
  params,
  usesEarlier: true,
  describe: (p, stage, names) => (p.position ? `${names ? `'${names('stage', String(p.position))}'` : `Stage ${p.position}`} is complete` : stage.position > 1 ? 'The previous stage is complete' : 'Always open (first stage)'),
  form: { title: 'An earlier stage is complete', fields: { position: { label: 'Which stage', picker: 'stage', empty: 'The stage just before this one' } } },
  async evaluate({ items, earlier }) {
    return answerAll(items, (item, candidateId) => {
      const wanted = item.params.position ?? item.stage.position - 1;
      const previous = item.stages.find((s) => s.position === wanted);
      if (!previous || wanted >= item.stage.position) return { met: true, reason: 'This is where the programme starts.' };
      const status = earlier.get(previous.id)?.get(candidateId);
      const met = status === 'complete' || status === 'waived';
      return met
        ? { met, reason: `'${previous.title}' is ${status === 'waived' ? 'waived' : 'complete'}.` }
        : { met, reason: `Complete '${previous.title}' first.` };
    });
  },
};
