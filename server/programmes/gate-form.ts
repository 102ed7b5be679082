/** The gate form: each stage's opening and completion requirements edited as fields generated from every requirement
 * kind's own declaration (its zod `params` give type, bounds and whether a value is required; its `form` the labels
 * and pickers), read back from a plain form, and previewed with the very sentence the gate uses (`describe`). */
import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db';
import { competencies, rubrics, type RequirementSpec } from '../db/tables';
import type { AppRegistry } from '../modules/registry';
import type { Choice, NameOf, ParamField, PickerName, RequirementKind, StageRow } from '../progression/types';
import { fieldProblems } from '../http/validate';
import { asSentence } from '../http/sentences';
import { misfit } from './references';

/** Which list a requirement belongs to. */
export type Which = 'open' | 'complete';
/** What the gate form reads with. */
export type GateContext = { db: Db; registry: Pick<AppRegistry, 'modules' | 'requirementKinds'> };
/** Every picker's choices for one programme. */
export type Choices = Map<PickerName, Choice[]>;

type JsonProp = { type?: string; format?: string; enum?: string[]; minimum?: number; maximum?: number; items?: JsonProp; default?: unknown };
/** One parameter as the form shows it. */
export type ParamSpec = ParamField & { name: string; control: 'number' | 'text' | 'date' | 'select' | 'checkboxes'; required: boolean; min?: number; max?: number; values?: string[]; list: boolean };

const specCache = new WeakMap<RequirementKind, ParamSpec[]>();

/** A kind's parameters, in the order its form declares them (then any it left undeclared). */
export function paramSpecs(kind: RequirementKind): ParamSpec[] {
  const cached = specCache.get(kind);
  if (cached) return cached;
  const schema = z.toJSONSchema(kind.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, JsonProp>; required?: string[] };
  const props = schema.properties ?? {};
  const declared = kind.form?.fields ?? {};
  const names = [...Object.keys(declared).filter((n) => n in props), ...Object.keys(props).filter((n) => !(n in declared))];
  const specs = names.map((name): ParamSpec => {
    const p = props[name];
    const field = declared[name] ?? { label: name };
    const list = p.type === 'array';
    const values = p.enum ?? (list ? p.items?.enum : undefined);
    const control = field.picker ? (list ? 'checkboxes' : 'select') : values ? 'select' : p.type === 'integer' || p.type === 'number' ? 'number' : p.format === 'date' ? 'date' : 'text';
    const max = p.maximum !== undefined && p.maximum < 1e9 ? p.maximum : undefined;
    return { ...field, name, control, required: (schema.required ?? []).includes(name), min: p.minimum, max, values, list };
  });
  specCache.set(kind, specs);
  return specs;
}

/** Loads every picker's choices for a programme: current rubrics, the framework's competencies, the programme's
 * stages, and the choices each kind's module owns (videos). Real names; the value stays the stored key. */
export async function loadChoices(ctx: GateContext, programme: { id: string; frameworkId: string | null; stages: { position: number; title: string; moduleKey: string }[] }): Promise<Choices> {
  const [rubricRows, competencyRows] = await Promise.all([
    ctx.db.select({ key: rubrics.key, name: rubrics.name }).from(rubrics).where(and(isNotNull(rubrics.key), isNull(rubrics.supersededAt), isNull(rubrics.archivedAt))).orderBy(asc(rubrics.name)),
    ctx.db.selectDistinct({ code: competencies.code, name: competencies.name }).from(competencies).where(programme.frameworkId ? eq(competencies.frameworkId, programme.frameworkId) : undefined).orderBy(asc(competencies.code)),
  ]);
  const choices: Choices = new Map<PickerName, Choice[]>([
    ['rubric', rubricRows.map((r) => ({ value: String(r.key), label: r.name }))],
    ['competency', competencyRows.map((c) => ({ value: c.code, label: `${c.code} ${c.name}` }))],
    ['stage', programme.stages.map((s) => ({ value: String(s.position), label: `${s.position}. ${s.title}` }))],
  ]);
  for (const kind of ctx.registry.requirementKinds.values()) {
    if (!kind.choices) continue;
    for (const spec of paramSpecs(kind)) {
      if (!spec.picker || choices.has(spec.picker)) continue;
      choices.set(spec.picker, await kind.choices(spec.picker, { db: ctx.db, programmeId: programme.id, frameworkId: programme.frameworkId, moduleKey: '' }));
    }
  }
  return choices;
}

/** The name people read for a picked value. */
export function namer(choices: Choices): NameOf {
  return (picker, value) => choices.get(picker)?.find((c) => c.value === value)?.label ?? value;
}

/** Reads one list of requirements from the flat form (`open.0.kind`, `open.0.params.threshold`, …), in order. */
export function readRequirements(registry: GateContext['registry'], body: Record<string, unknown>, which: Which): RequirementSpec[] {
  const rows = Object.keys(body)
    .map((k) => new RegExp(`^${which}\\.(\\d+)\\.kind$`).exec(k))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  return rows.map((j) => {
    const kindName = String(body[`${which}.${j}.kind`]);
    const kind = registry.requirementKinds.get(kindName);
    const params: Record<string, unknown> = {};
    for (const spec of kind ? paramSpecs(kind) : []) {
      const raw = body[`${which}.${j}.params.${spec.name}`];
      const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => String(v).trim()).filter((v) => v !== '');
      if (spec.list) {
        const list = spec.control === 'checkboxes' ? given : given.flatMap((v) => v.split(',').map((x) => x.trim()).filter(Boolean));
        if (list.length) params[spec.name] = list;
      } else if (given.length) {
        const v = given[0];
        params[spec.name] = spec.control === 'number' || spec.picker === 'stage' ? (Number.isFinite(Number(v)) ? Number(v) : v) : v;
      }
    }
    return { kind: kindName, params };
  });
}

/** What the form's buttons ask for: save, preview, save the Advanced JSON, or change the list (add, remove, move). */
export type Intent = { do: 'save' | 'preview' | 'json' } | { do: 'add'; which: Which } | { do: 'remove' | 'up' | 'down'; which: Which; at: number };

/** Parses the pressed button's `intent` value (anything unknown is a preview: nothing is saved by accident). */
export function readIntent(value: unknown): Intent {
  const v = String(Array.isArray(value) ? value[0] : (value ?? 'save'));
  if (v === 'save' || v === 'json') return { do: v };
  const m = /^(add|remove|up|down)\.(open|complete)(?:\.(\d+))?$/.exec(v);
  if (!m) return { do: 'preview' };
  const which = m[2] as Which;
  return m[1] === 'add' ? { do: 'add', which } : { do: m[1] as 'remove' | 'up' | 'down', which, at: Number(m[3] ?? -1) };
}

/** Applies a list change to the draft's requirements. */
export function applyIntent(draft: Record<Which, RequirementSpec[]>, intent: Intent, addKind: string): Record<Which, RequirementSpec[]> {
  if (intent.do === 'add') return { ...draft, [intent.which]: addKind ? [...draft[intent.which], { kind: addKind, params: {} }] : draft[intent.which] };
  if (intent.do !== 'remove' && intent.do !== 'up' && intent.do !== 'down') return draft;
  const list = [...draft[intent.which]];
  const i = intent.at;
  if (i < 0 || i >= list.length) return draft;
  if (intent.do === 'remove') list.splice(i, 1);
  else {
    const j = intent.do === 'up' ? i - 1 : i + 1;
    if (j < 0 || j >= list.length) return draft;
    [list[i], list[j]] = [list[j], list[i]];
  }
  return { ...draft, [intent.which]: list };
}

/** The sentence the candidate reads for a requirement, or why it cannot be said yet. */
export function sentenceOf(registry: GateContext['registry'], r: RequirementSpec, stage: StageRow, names: NameOf): { text: string; ready: boolean } {
  const kind = registry.requirementKinds.get(r.kind);
  if (!kind) return { text: `'${r.kind}' is not a requirement kind.`, ready: false };
  const parsed = kind.params.safeParse(r.params);
  if (!parsed.success) {
    const first = fieldProblems(parsed.error, kind.params, r.params)[0];
    return { text: `Not complete yet — ${first ? asSentence(first.field, first.message) : 'check its fields.'}`, ready: false };
  }
  return { text: kind.describe(parsed.data, stage, names), ready: true };
}

type Problem = { field: string; message: string };

/** One requirement as the form shows it: its kind's title, each parameter as a field with its value and choices,
 * its problem sentences, and the preview sentence. */
function requirementView(ctx: GateContext, r: RequirementSpec, which: Which, j: number, count: number, stage: StageRow, choices: Choices, problems: Problem[]) {
  const kind = ctx.registry.requirementKinds.get(r.kind);
  const at = `${which}.${j}`;
  const errorOf = (path: string) => problems.find((p) => p.field === path)?.message;
  const fields = (kind ? paramSpecs(kind) : []).map((spec) => {
    const path = `${at}.params.${spec.name}`;
    const value = r.params[spec.name];
    const picked = new Set((Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String));
    const source = spec.picker ? (choices.get(spec.picker) ?? []) : (spec.values ?? []).map((v) => ({ value: v, label: spec.options?.[v] ?? v }));
    // A stored value the pickers no longer offer stays visible (and the save names it), never silently dropped.
    const missing = [...picked].filter((v) => !source.some((c) => c.value === v)).map((v) => ({ value: v, label: `${v} (no longer available)` }));
    return {
      ...spec,
      path,
      text: Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value),
      options: [...source, ...missing].map((c) => ({ ...c, selected: picked.has(c.value) })),
      error: errorOf(path),
      isNumber: spec.control === 'number',
      isDate: spec.control === 'date',
      isSelect: spec.control === 'select',
      isCheckboxes: spec.control === 'checkboxes',
      isText: spec.control === 'text',
    };
  });
  return {
    which,
    index: j,
    at,
    kind: r.kind,
    title: kind?.form?.title ?? r.kind,
    fields,
    error: errorOf(`${at}.kind`),
    preview: sentenceOf(ctx.registry, r, stage, namer(choices)),
    first: j === 0,
    last: j === count - 1,
  };
}

/** A stage's two requirement lists for the form, with the kinds that fit the stage offered to add. */
export function gateView(ctx: GateContext, stage: StageRow, draft: Record<Which, RequirementSpec[]>, choices: Choices, problems: Problem[] = []) {
  const addable = [...ctx.registry.requirementKinds.entries()]
    .filter(([name]) => misfit(ctx.registry, name, stage.moduleKey) === null)
    .map(([name, kind]) => ({ value: name, label: kind.form?.title ?? name }))
    .sort((a, b) => a.label.localeCompare(b.label));
  const list = (which: Which) => draft[which].map((r, j) => requirementView(ctx, r, which, j, draft[which].length, stage, choices, problems));
  return {
    open: list('open'),
    complete: list('complete'),
    addable,
    openJson: JSON.stringify(draft.open, null, 1),
    completeJson: JSON.stringify(draft.complete, null, 1),
  };
}
