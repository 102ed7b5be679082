/** A programme's stages put in a new order in one request; a gate naming an earlier stage by number follows that stage. */
import { ValidationError } from '../errors';
import type { StageInput } from './schemas';

/** Reads `order` ("3,1,2": every stage's current number, 1-based, once) into 0-based indexes, or a 400 saying why. */
export function readOrder(value: unknown, count: number): number[] {
  const text = String(Array.isArray(value) ? value.join(',') : (value ?? ''));
  const order = text.split(',').map((v) => v.trim()).filter(Boolean).map(Number);
  const complete = order.length === count && order.every((n) => Number.isInteger(n) && n >= 1 && n <= count) && new Set(order).size === count;
  if (!complete) throw new ValidationError(`The new order must name each of the ${count} stages once.`, [{ field: 'order', message: `The new order must name each of the ${count} stages once.` }]);
  return order.map((n) => n - 1);
}

/** The stages in the new order; a "previous stage complete" that names a stage by position is renumbered to follow
 * it (so "Stage 2 is complete" still means that stage) — the save then refuses a stage that now waits for a later one. */
export function reorderStages(stages: StageInput[], order: number[]): StageInput[] {
  const newPosition = new Map(order.map((old, i) => [old + 1, i + 1]));
  const follow = (list: StageInput['open']) =>
    list.map((r) => (r.kind === 'previous-stage-complete' && typeof r.params.position === 'number' ? { ...r, params: { ...r.params, position: newPosition.get(r.params.position) ?? r.params.position } } : r));
  return order.map((old) => ({ ...stages[old], open: follow(stages[old].open), complete: follow(stages[old].complete) }));
}
