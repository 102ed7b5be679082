/** "Attendance at N sessions": delegates to the stage module's own `<module>:attendance` kind, which knows its sessions. */
import { z } from 'zod';
import type { EvaluationItem, EvaluationResult, RequirementKind } from '../types';
import { answerAll, count } from './answers';

const params = z.object({ sessions: z.number().int().min(1).default(1) }).strict();
type Params = z.output<typeof params>;

/** Met when the module's attendance kind says the candidate attended `sessions` sessions of the stage. */
export const attendance: RequirementKind<typeof params> = {
  params,
  describe: (p) => `Attend ${count(p.sessions, 'session')}`,
  form: { title: 'Attend sessions', fields: { sessions: { label: 'How many sessions', hint: 'Counted from the stage’s own register.' } } },
  async evaluate(input) {
    const byModule = new Map<string, EvaluationItem<Params>[]>();
    for (const item of input.items) {
      const list = byModule.get(item.stage.moduleKey);
      if (list) list.push(item);
      else byModule.set(item.stage.moduleKey, [item]);
    }
    const result: EvaluationResult = new Map();
    for (const [moduleKey, items] of byModule) {
      const delegate = input.kinds?.get(`${moduleKey}:attendance`);
      if (!delegate) {
        for (const [k, v] of answerAll(items, () => ({ met: false, reason: 'This stage does not record attendance; ask your mentor.' }))) result.set(k, v);
        continue;
      }
      const delegated = items.map((i) => ({ ...i, params: delegate.params.parse(i.params) as Record<string, unknown> }));
      for (const [k, v] of await delegate.evaluate({ ...input, items: delegated })) result.set(k, v);
    }
    return result;
  },
};
