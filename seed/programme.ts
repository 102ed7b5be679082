/** The built-in programme template: "Restraint Reduction Trainer Development" — the installed stages that declare a
 * place in it (`programme` in their manifests), in their order, with their day windows. */
import type { Db } from '../server/db';
import { programmeTemplates, templateStages } from '../server/db/tables';
import type { StageManifest } from '../server/modules/types';

/** The manifests with a place in the built-in programme, in the order the stages are meant to run. */
export function builtInManifests(modules: StageManifest[]): (StageManifest & { programme: NonNullable<StageManifest['programme']> })[] {
  return modules.filter((m): m is StageManifest & { programme: NonNullable<StageManifest['programme']> } => !!m.programme).sort((a, b) => a.programme.order - b.programme.order);
}

/** The built-in template's name. */
export const BUILT_IN_TEMPLATE = 'Restraint Reduction Trainer Development';

/** Creates the built-in template from the installed modules' defaults; returns its id. */
export async function seedProgrammeTemplate(db: Db, modules: StageManifest[], frameworkId: string | null): Promise<string> {
  const [template] = await db
    .insert(programmeTemplates)
    .values({
      name: BUILT_IN_TEMPLATE,
      description:
        'Turns experienced staff into in-house trainers in conflict management and restraint reduction: pre-load, introductions, transfer week, projects week, co-delivery and a remedial workshop.',
      frameworkId,
    })
    .returning();
  let position = 0;
  for (const manifest of builtInManifests(modules)) {
    const stage = manifest.programme;
    position += 1;
    await db.insert(templateStages).values({
      templateId: template.id,
      position,
      moduleKey: manifest.key,
      title: manifest.title,
      summary: manifest.summary,
      config: manifest.defaults.config,
      openRequirements: manifest.defaults.open,
      completeRequirements: manifest.defaults.complete,
      startDay: stage.startDay,
      endDay: stage.endDay,
    });
  }
  return template.id;
}
