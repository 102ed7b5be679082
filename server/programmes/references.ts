/** A programme's requirements checked against the world when it is saved: every kind fits its stage (a module's own
 * kind only on that module's stages; attendance only where the stage records some), and every rubric, competency code
 * or video a requirement names exists — each problem a sentence naming its field. */
import type { Db } from '../db';
import { ValidationError, type FieldProblem } from '../errors';
import type { AppRegistry } from '../modules/registry';
import type { StageInput } from './schemas';

/** Why a kind does not fit a stage of `moduleKey`, or null when it does. */
export function misfit(registry: Pick<AppRegistry, 'modules' | 'requirementKinds'>, kind: string, moduleKey: string): string | null {
  const owner = kind.includes(':') ? kind.slice(0, kind.indexOf(':')) : null;
  const titleOf = (key: string) => registry.modules.find((m) => m.key === key)?.title ?? key;
  if (owner && owner !== moduleKey) return `'${kind}' belongs to the ${titleOf(owner)} stage and cannot be a requirement of a ${titleOf(moduleKey)} stage.`;
  if (kind === 'attendance' && !registry.requirementKinds.has(`${moduleKey}:attendance`)) return `A ${titleOf(moduleKey)} stage records no attendance, so it cannot require attendance at sessions.`;
  return null;
}

/** Throws one ValidationError listing every misfit and missing reference (fields as `stages.N.complete.M.params.x`). */
export async function checkReferences(
  ctx: { db: Db; registry: Pick<AppRegistry, 'modules' | 'requirementKinds'> },
  stages: StageInput[],
  programme: { id: string | null; frameworkId: string | null },
  field = 'stages',
): Promise<void> {
  const problems: FieldProblem[] = [];
  for (const [i, s] of stages.entries()) {
    for (const which of ['open', 'complete'] as const) {
      for (const [j, r] of s[which].entries()) {
        const at = `${field}.${i}.${which}.${j}`;
        const wrong = misfit(ctx.registry, r.kind, s.moduleKey);
        if (wrong) {
          problems.push({ field: `${at}.kind`, message: wrong });
          continue;
        }
        // An earlier stage must come earlier: a gate on a stage at or after this one could never open it.
        const wanted = r.kind === 'previous-stage-complete' && typeof r.params.position === 'number' ? r.params.position : null;
        if (wanted !== null && wanted >= i + 1) {
          const named = stages[wanted - 1];
          problems.push({ field: `${at}.params.position`, message: `'${s.title}' waits for ${named ? `'${named.title}'` : `stage ${wanted}`}, which ${named ? 'comes at or after it' : 'does not exist'}: an earlier stage must come before the stage it opens.` });
          continue;
        }
        const kind = ctx.registry.requirementKinds.get(r.kind);
        if (!kind?.references) continue;
        const parsed = kind.params.safeParse(r.params);
        if (!parsed.success) continue; // checkStages has named it already
        const found = await kind.references(parsed.data, { db: ctx.db, programmeId: programme.id, frameworkId: programme.frameworkId, moduleKey: s.moduleKey });
        for (const p of found) problems.push({ field: `${at}.params.${p.field}`, message: p.message });
      }
    }
  }
  if (problems.length) throw new ValidationError(`The programme has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}: ${problems.map((p) => p.message).join(' ')}`, problems);
}
