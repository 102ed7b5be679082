/** Programme template input: ordered stages whose requirements are validated against each kind's parameters. */
import { z } from 'zod';
import type { FieldProblem } from '../errors';
import { fieldProblems, invalid } from '../http/validate';
import type { AppRegistry } from '../modules/registry';
import '../progression/engine';

const requirement = z.object({ kind: z.string().min(1, 'name a requirement kind'), params: z.record(z.string(), z.unknown()).default({}) });

/** One stage of a template as an admin sends it. */
export const stageInput = z.object({
  moduleKey: z.string().min(1, 'choose a stage type'),
  title: z.string().trim().min(1, 'is required').max(200),
  summary: z.string().trim().max(1000).nullish(),
  config: z.record(z.string(), z.unknown()).default({}),
  open: z.array(requirement).default([]),
  complete: z.array(requirement).default([]),
  startDay: z.number().int().min(0).max(3650).nullish(),
  endDay: z.number().int().min(0).max(3650).nullish(),
});

/** A stage as validated. */
export type StageInput = z.output<typeof stageInput>;

/** A whole template (create or replace). */
export const templateInput = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  description: z.string().trim().max(2000).nullish(),
  stages: z.array(stageInput).max(30).optional(),
});

/** Checks module keys, day windows and every requirement's kind and params; throws one ValidationError naming each field. */
export function checkStages(registry: Pick<AppRegistry, 'modules' | 'requirementKinds'>, stages: StageInput[], field = 'stages'): StageInput[] {
  const modules = new Set(registry.modules.map((m) => m.key));
  const problems: FieldProblem[] = [];
  stages.forEach((s, i) => {
    const at = `${field}.${i}`;
    if (!modules.has(s.moduleKey)) problems.push({ field: `${at}.moduleKey`, message: `'${s.moduleKey}' is not an installed stage type (${[...modules].join(', ')})` });
    if (s.startDay != null && s.endDay != null && s.endDay < s.startDay) problems.push({ field: `${at}.endDay`, message: 'must be on or after the start day' });
    for (const which of ['open', 'complete'] as const) {
      s[which].forEach((r, j) => {
        const kind = registry.requirementKinds.get(r.kind);
        if (!kind) return problems.push({ field: `${at}.${which}.${j}.kind`, message: `'${r.kind}' is not a requirement kind` });
        const parsed = kind.params.safeParse(r.params);
        if (!parsed.success) for (const p of fieldProblems(parsed.error, kind.params, r.params)) problems.push({ field: `${at}.${which}.${j}.params.${p.field}`, message: p.message });
      });
    }
  });
  if (problems.length) throw invalid(problems);
  return stages;
}
