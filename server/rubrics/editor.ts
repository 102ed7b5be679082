/** The rubric editor (admins): change criteria, levels, descriptors, weights, must-pass and the pass mark; saving
 * publishes the rubric's next version. Before saving, the page says whom the new version affects in running cohorts. */
import type { Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context';
import { onProvider } from '../http/grants';
import { seeOther } from '../http/present';
import type { CadreRouter } from '../http/router';
import { publishRubricVersion } from './commands';
import { loadRubric, rubricVersionImpact, type RubricGrid } from './queries';
import { rubricInput } from './schemas';

const clamp = (v: unknown, min: number, max: number, fallback: number) => {
  const n = Number(v);
  return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
};

/** Reads a rubric form's numbered fields (`level<i>_label`/`_points`, `c<i>_title`/`_description`/`_weight`/
 * `_mustPass`/`_passLevel`/`_d<j>`) into levels and criteria, leaving out criterion rows with no title. */
export function gridFromForm(body: Record<string, unknown>, levelCount: number, rowCount: number) {
  const levels = Array.from({ length: levelCount }, (_, i) => ({ label: body[`level${i}_label`], points: body[`level${i}_points`] }));
  const criteria = [];
  for (let i = 0; i < rowCount; i++) {
    const title = String(body[`c${i}_title`] ?? '').trim();
    if (!title) continue;
    criteria.push({
      title,
      description: body[`c${i}_description`] || undefined,
      weight: body[`c${i}_weight`],
      mustPass: body[`c${i}_mustPass`] === 'on' || body[`c${i}_mustPass`] === 'true',
      passLevel: body[`c${i}_passLevel`],
      descriptors: levels.map((_, j) => String(body[`c${i}_d${j}`] ?? '')),
    });
  }
  return { levels, criteria };
}

/** Reads the editor's numbered fields (`levelCount` levels, `rowCount` criterion rows; a row without a title is
 * left out of the new version) into the rubric shape. */
function editFromForm(body: Record<string, unknown>) {
  const levelCount = clamp(body.levelCount, 2, 8, 4);
  const rowCount = clamp(body.rowCount, 1, 30, 6);
  const { levels, criteria } = gridFromForm(body, levelCount, rowCount);
  return { name: body.name, description: body.description || undefined, passThreshold: body.passThreshold, levels, criteria };
}

const editForm = z.preprocess((b) => editFromForm((b ?? {}) as Record<string, unknown>), rubricInput);

/** The editor's fields: what was typed after a refused save, else the rubric as it stands (two blank rows to add). */
function editorFields(rubric: RubricGrid, typed: Record<string, unknown> | undefined) {
  const levelCount = typed ? clamp(typed.levelCount, 2, 8, rubric.levels.length) : rubric.levels.length;
  const rowCount = typed ? clamp(typed.rowCount, 1, 30, rubric.criteria.length + 2) : rubric.criteria.length + 2;
  const levels = Array.from({ length: levelCount }, (_, i) => ({
    index: i,
    number: i + 1,
    label: typed ? String(typed[`level${i}_label`] ?? '') : (rubric.levels[i]?.label ?? ''),
    points: typed ? String(typed[`level${i}_points`] ?? '') : String(rubric.levels[i]?.points ?? ''),
  }));
  const rows = Array.from({ length: rowCount }, (_, i) => {
    const c = rubric.criteria[i];
    const passLevel = typed ? Number(typed[`c${i}_passLevel`] ?? 0) : (c?.passLevel ?? Math.min(2, levelCount - 1));
    return {
      index: i,
      number: i + 1,
      title: typed ? String(typed[`c${i}_title`] ?? '') : (c?.title ?? ''),
      description: typed ? String(typed[`c${i}_description`] ?? '') : (c?.description ?? ''),
      weight: typed ? String(typed[`c${i}_weight`] ?? '') : String(c?.weight ?? 1),
      mustPass: typed ? typed[`c${i}_mustPass`] === 'on' : !!c?.mustPass,
      levelOptions: levels.map((l) => ({ index: l.index, label: l.label || `Level ${l.number}`, selected: l.index === passLevel })),
      descriptors: levels.map((l) => ({ index: l.index, label: l.label || `Level ${l.number}`, text: typed ? String(typed[`c${i}_d${l.index}`] ?? '') : (c?.descriptors[l.index]?.text ?? '') })),
    };
  });
  return { levelCount, rowCount, levels, rows };
}

/** Mounts the editor under /admin/rubrics/:rubric/edit. */
export function rubricEditorRoutes(r: CadreRouter, ctx: AppContext): void {
  const admin = onProvider('provider:manage');

  async function renderEdit(res: Response, keyOrId: string, extra: { error?: unknown; values?: Record<string, unknown> } = {}) {
    const rubric = await loadRubric(ctx.db, keyOrId);
    const typed = extra.values;
    res.render('rubrics/edit', {
      title: `Edit ${rubric.name}`,
      rubric,
      nextVersion: rubric.version + 1,
      superseded: !!rubric.supersededAt,
      name: typed ? String(typed.name ?? '') : rubric.name,
      description: typed ? String(typed.description ?? '') : (rubric.description ?? ''),
      passThreshold: typed ? String(typed.passThreshold ?? '') : String(rubric.passThreshold),
      ...editorFields(rubric, typed),
      impact: await rubricVersionImpact(ctx.db, rubric),
      error: extra.error,
    });
  }

  r.get('/admin/rubrics/:rubric/edit', { summary: 'The rubric editor (admin)', authorize: admin }, ({ params }, _req, res) => renderEdit(res, params.rubric));

  r.form(
    '/admin/rubrics/:rubric/edit',
    { summary: 'Save a rubric’s next version (form)', body: editForm, authorize: admin, rerender: (_req, res, { error, values, params }) => renderEdit(res, params.rubric, { error, values }) },
    async ({ body, actor, params }) => {
      const previous = await loadRubric(ctx.db, params.rubric);
      const rubric = await publishRubricVersion(ctx.db, actor.id, previous, body);
      return seeOther(`/admin/rubrics/${rubric.id}?published=1`);
    },
  );
}
