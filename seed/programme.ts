/** The built-in programme template: "Restraint Reduction Trainer Development", six stages in order. */
import type { Db } from '../server/db';
import { programmeTemplates, templateStages } from '../server/db/tables';
import type { StageManifest } from '../server/modules/types';

/** The six stages, in order, with their day windows counted from the cohort's start. */
export const BUILT_IN_STAGES: { key: string; startDay: number; endDay: number }[] = [
  { key: 'preload-video', startDay: 0, endDay: 20 },
  { key: 'zoom-intro', startDay: 14, endDay: 21 },
  { key: 'transfer-week', startDay: 28, endDay: 32 },
  { key: 'projects-week', startDay: 42, endDay: 46 },
  { key: 'co-delivery', startDay: 56, endDay: 60 },
  { key: 'remedial-workshop', startDay: 70, endDay: 71 },
];

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
  const byKey = new Map(modules.map((m) => [m.key, m]));
  let position = 0;
  for (const stage of BUILT_IN_STAGES) {
    const manifest = byKey.get(stage.key);
    if (!manifest) continue;
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
