/** Observation sampling's rules, pure: how many are due at the boundaries (0, 1, 5, 6, 10 courses at 20%, rounded up,
 * at least one), a repeatable draw that keeps a course once picked, observed and hand-picked courses counting first,
 * and due → overdue when the year's window ends (on a fake clock: the UK date passed in). */
import { dueCount, drawNumber, ordinal, reasonWords, sampleYear, type SampledCourse } from '../../server/sampling/model';

const TRAINER = '6f1c1c1e-0000-4000-8000-000000000001';
const courses = (n: number, year = 2025): SampledCourse[] =>
  Array.from({ length: n }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, deliveredOn: `${year}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + Math.floor(i / 12)).padStart(2, '0')}`, createdAt: new Date(Date.UTC(year, 0, 1) + i * 3_600_000), observed: false, pickedByHand: false }));

describe('how many courses are due', () => {
  it.each([
    [0, 0],
    [1, 1],
    [5, 1],
    [6, 2],
    [10, 2],
    [11, 3],
  ])('%i courses at 20%% → %i due (rounded up, at least one when there is any course)', (n, due) => {
    expect(dueCount(n, 20)).toBe(due);
    expect(sampleYear(TRAINER, 2025, courses(n), 20, '2025-06-01').due).toBe(due);
    expect(sampleYear(TRAINER, 2025, courses(n), 20, '2025-06-01').picked).toHaveLength(due);
  });

  it('0 courses → none due, never overdue', () => {
    expect(sampleYear(TRAINER, 2025, [], 20, '2026-03-01')).toMatchObject({ due: 0, done: 0, status: 'none-due', picked: [] });
  });

  it('other rates round up too, and 100% picks every course', () => {
    expect(dueCount(3, 10)).toBe(1);
    expect(dueCount(7, 30)).toBe(3);
    expect(dueCount(4, 100)).toBe(4);
    expect(dueCount(100, 1)).toBe(1);
    expect(dueCount(101, 1)).toBe(2);
  });
});

describe('which courses are picked', () => {
  it('the same courses give the same picks, whatever order they are read in', () => {
    const list = courses(10);
    const a = sampleYear(TRAINER, 2025, list, 20, '2025-12-01').picked.map((p) => p.id);
    const b = sampleYear(TRAINER, 2025, [...list].reverse(), 20, '2025-12-01').picked.map((p) => p.id);
    expect(a).toEqual(b);
    expect(drawNumber(TRAINER, 2025, list[0].id)).toBe(drawNumber(TRAINER, 2025, list[0].id));
  });

  it('a course once picked stays picked as the year’s later courses are recorded, even one dated earlier', () => {
    const all = courses(24);
    let before: string[] = [];
    for (let n = 1; n <= all.length; n++) {
      const now = sampleYear(TRAINER, 2025, all.slice(0, n), 20, '2025-12-01').picked.map((p) => p.id);
      for (const id of before) expect(now).toContain(id);
      expect(now).toHaveLength(dueCount(n, 20));
      before = now;
    }
  });

  it('explains each draw: at which course the number due rose, and the draw number', () => {
    const s = sampleYear(TRAINER, 2025, courses(6), 20, '2025-12-01');
    const drawn = s.picked.map((p) => p.reason);
    expect(drawn.map((r) => (r.how === 'drawn' ? [r.atCourse, r.dueThen] : null)).sort()).toEqual([[1, 1], [6, 2]]);
    const second = drawn.find((r) => r.how === 'drawn' && r.atCourse === 6);
    expect(second && reasonWords(second, 2025, 20)).toMatch(/^Drawn when the trainer’s 6th course of 2025 was recorded and made 2 due at 20% \(draw number 0\.\d{4}, the lowest of the courses not yet picked\)\.$/);
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '23rd', '101st', '111th']);
  });

  it('observed and hand-picked courses count first; draws fill the rest', () => {
    const list = courses(6);
    const drawnAlone = sampleYear(TRAINER, 2025, list, 20, '2025-12-01').picked.map((p) => p.id);
    const other = list.find((c) => !drawnAlone.includes(c.id)) as SampledCourse;
    const withHand = sampleYear(TRAINER, 2025, list.map((c) => (c.id === other.id ? { ...c, pickedByHand: true } : c)), 20, '2025-12-01');
    expect(withHand.due).toBe(2);
    expect(withHand.picked).toHaveLength(2);
    expect(withHand.picked.find((p) => p.id === other.id)?.reason).toEqual({ how: 'hand' });
    const twoObserved = list.map((c, i) => (i < 3 ? { ...c, observed: true } : c));
    const s = sampleYear(TRAINER, 2025, twoObserved, 20, '2025-12-01');
    // Three observed where two were due: all three are in the sample, none is drawn, and the year is done.
    expect(s.picked.map((p) => p.reason.how)).toEqual(['observed', 'observed', 'observed']);
    expect(s).toMatchObject({ due: 2, done: 2, status: 'done' });
  });
});

describe('due, done and overdue on a fake clock', () => {
  const list = courses(5);
  it('is due during the year and on its last day, overdue the day after', () => {
    expect(sampleYear(TRAINER, 2025, list, 20, '2025-03-01').status).toBe('due');
    expect(sampleYear(TRAINER, 2025, list, 20, '2025-12-31').status).toBe('due');
    expect(sampleYear(TRAINER, 2025, list, 20, '2026-01-01').status).toBe('overdue');
  });
  it('is done once the number due is observed, even after the year ended', () => {
    const picked = sampleYear(TRAINER, 2025, list, 20, '2025-03-01').picked[0].id;
    const observed = list.map((c) => (c.id === picked ? { ...c, observed: true } : c));
    expect(sampleYear(TRAINER, 2025, observed, 20, '2027-05-01')).toMatchObject({ status: 'done', done: 1, due: 1 });
    expect(sampleYear(TRAINER, 2025, observed, 20, '2027-05-01').picked).toEqual([{ id: picked, reason: { how: 'observed' } }]);
  });
});
