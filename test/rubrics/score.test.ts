/** Rubric arithmetic at its boundaries: weighting, exactly at the threshold, must-pass failures, agreement. */
import { agreement, scoreAssessment, type ScorableRubric } from '../../server/rubrics/score';
import { ValidationError } from '../../server/errors';

const levels = [
  { position: 0, points: 0 },
  { position: 1, points: 1 },
  { position: 2, points: 2 },
  { position: 3, points: 3 },
];

function rubric(passThreshold: number, criteria: ScorableRubric['criteria']): ScorableRubric {
  return { passThreshold, levels, criteria };
}

describe('scoreAssessment', () => {
  const plain = rubric(50, [
    { id: 'a', weight: 1, mustPass: false, passLevel: 2 },
    { id: 'b', weight: 1, mustPass: false, passLevel: 2 },
  ]);

  it('weights each criterion: Σ weight × points/max ÷ Σ weight × 100', () => {
    const weighted = rubric(0, [
      { id: 'a', weight: 3, mustPass: false, passLevel: 0 },
      { id: 'b', weight: 1, mustPass: false, passLevel: 0 },
    ]);
    // a at 3/3 (×3) and b at 0/3 (×1) → 3/4 = 75%.
    expect(scoreAssessment(weighted, { a: 3, b: 0 }).percent).toBe(75);
    expect(scoreAssessment(weighted, { a: 0, b: 3 }).percent).toBe(25);
  });

  it('passes exactly at the threshold and fails just below it', () => {
    // (3 + 0) / 6 = 50% exactly.
    expect(scoreAssessment(plain, { a: 3, b: 0 })).toEqual({ percent: 50, mustPassFailed: false, failedCriteria: [], passed: true });
    // (2 + 0) / 6 = 33.33%.
    expect(scoreAssessment(plain, { a: 2, b: 0 }).passed).toBe(false);
  });

  it('passes at a threshold that is a repeating fraction (66.67% of three equal criteria)', () => {
    const thirds = rubric(66.67, [
      { id: 'a', weight: 1, mustPass: false, passLevel: 0 },
      { id: 'b', weight: 1, mustPass: false, passLevel: 0 },
      { id: 'c', weight: 1, mustPass: false, passLevel: 0 },
    ]);
    const s = scoreAssessment(thirds, { a: 3, b: 3, c: 0 });
    expect(s.percent).toBe(66.67);
    expect(s.passed).toBe(true);
  });

  it('fails when one must-pass criterion is below its pass level, however high the total', () => {
    const r = rubric(50, [
      { id: 'safe', weight: 1, mustPass: true, passLevel: 2 },
      { id: 'b', weight: 5, mustPass: false, passLevel: 0 },
      { id: 'c', weight: 5, mustPass: false, passLevel: 0 },
    ]);
    const s = scoreAssessment(r, { safe: 1, b: 3, c: 3 });
    expect(s.percent).toBeGreaterThan(90);
    expect(s.mustPassFailed).toBe(true);
    expect(s.failedCriteria).toEqual(['safe']);
    expect(s.passed).toBe(false);
    // Exactly at the pass level is a pass for that criterion.
    expect(scoreAssessment(r, { safe: 2, b: 3, c: 3 }).passed).toBe(true);
  });

  it('gives 0% and 100% at the ends', () => {
    expect(scoreAssessment(plain, { a: 0, b: 0 }).percent).toBe(0);
    expect(scoreAssessment(plain, { a: 3, b: 3 }).percent).toBe(100);
  });

  it('refuses a missing or unknown level, naming the criterion', () => {
    expect(() => scoreAssessment(plain, { a: 3 })).toThrow(ValidationError);
    let caught: unknown;
    try {
      scoreAssessment(plain, { a: 9, b: 1 });
    } catch (err) {
      caught = err;
    }
    expect((caught as ValidationError).fields).toEqual([{ field: 'levels.a', message: 'Choose a level for “a”.' }]);
  });
});

describe('agreement', () => {
  it('reports % of criteria with equal levels and within one level, across every pair', () => {
    expect(agreement([{ a: 2, b: 2, c: 3 }, { a: 2, b: 1, c: 1 }], ['a', 'b', 'c'])).toEqual({ pairs: 3, exact: 33, withinOne: 67 });
    expect(agreement([{ a: 2 }, { a: 2 }, { a: 2 }], ['a'])).toEqual({ pairs: 3, exact: 100, withinOne: 100 });
  });

  it('is null with fewer than two assessments', () => {
    expect(agreement([{ a: 1 }], ['a'])).toBeNull();
  });
});
