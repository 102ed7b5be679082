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

/** The built-in refresher's name (it sorts after the full programme, which pages that list programmes by name pick first). */
export const REFRESHER_TEMPLATE = `${BUILT_IN_TEMPLATE}: Annual Refresher`;

/** The annual refresher of the built-in programme (17.5): a short programme reusing two stage modules — the pre-load
 * videos, then the remedial workshop whose final sign-off renews the trainer's certificate for another 12 months. */
export async function seedRefresherTemplate(db: Db, modules: StageManifest[], parentId: string, frameworkId: string | null): Promise<string | null> {
  const picks = [
    { key: 'preload-video', title: 'Refresher videos', summary: 'Watch this year’s refresher videos and answer their questions.', startDay: 0, endDay: 14 },
    { key: 'remedial-workshop', title: 'Refresher workshop and sign-off', summary: 'A half-day workshop on what has changed and what is hard; the mentor’s sign-off renews the certificate.', startDay: 21, endDay: 28 },
  ].filter((p) => modules.some((m) => m.key === p.key));
  if (picks.length < 2) return null;
  const [template] = await db
    .insert(programmeTemplates)
    .values({ name: REFRESHER_TEMPLATE, description: 'The yearly update a certified trainer completes to keep their certificate current.', frameworkId, certificateMonths: 12, refresherOf: parentId })
    .returning();
  let position = 0;
  for (const p of picks) {
    const manifest = modules.find((m) => m.key === p.key)!;
    position += 1;
    await db.insert(templateStages).values({ templateId: template.id, position, moduleKey: p.key, title: p.title, summary: p.summary, config: manifest.defaults.config, openRequirements: manifest.defaults.open, completeRequirements: manifest.defaults.complete, startDay: p.startDay, endDay: p.endDay });
  }
  return template.id;
}
