// Behaviour of the drift building blocks that the scipy goldens do not pin down: input
// validation, ties, rounding of the asymptotic KS size, and the signals.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  categoricalCounts,
  kolmogorovSf,
  ksMaxGapSorted,
  ksPvalue,
  ksTestSorted,
  nullRate,
  numericDrift,
  outOfRangeRatio,
  psiFromCounts,
} from '../../detectors/index.js';

describe('drift building blocks', () => {
  it('KS is symmetric, 0 for identical samples, and moves tied values together', () => {
    const a = Float64Array.from([1, 2, 2, 2, 3]);
    const b = Float64Array.from([2, 2, 3, 3]);
    assert.equal(ksMaxGapSorted(a, b), ksMaxGapSorted(b, a));
    // After x = 2: F_a = 4/5, F_b = 2/4, gap 0.3; before it 1/5 vs 0 → max 0.3 (= 6/20).
    assert.equal(ksMaxGapSorted(a, b), 6);
    const same = ksTestSorted(a, a);
    assert.equal(same.statistic, 0);
    assert.equal(same.pvalue, 1);
  });

  it('rounds NM/(N+M) half to even for the asymptotic law, as numpy does', () => {
    const n = 10001; // N = M odd: NM/(N+M) = 5000.5 → 5000
    const gap = 150 * n;
    const result = ksPvalue(n, n, gap);
    assert.equal(result.method, 'asymptotic');
    assert.equal(result.pvalue, kolmogorovSf(5000, gap / (n * n)));
    assert.notEqual(result.pvalue, kolmogorovSf(5001, gap / (n * n)));
  });

  it('rejects unsorted, non-finite or empty samples and bad frozen edges', () => {
    const ok = Float64Array.from([1, 2, 3]);
    assert.throws(
      () => numericDrift(Float64Array.from([2, 1]), ok),
      /reference sample is not sorted at index 1/,
    );
    assert.throws(
      () => numericDrift(ok, Float64Array.from([1, NaN])),
      /current value at index 1 is not finite/,
    );
    assert.throws(() => numericDrift(new Float64Array(0), ok), /reference sample is empty/);
    assert.throws(
      () => numericDrift(ok, ok, { edges: Float64Array.from([2, 1]) }),
      /strictly ascending \(index 1\)/,
    );
    assert.throws(() => psiFromCounts([1, 2], [1]), /bin count mismatch/);
    assert.throws(() => psiFromCounts([1, -2], [1, 1]), /count at index 1/);
  });

  it('uses frozen edges as given', () => {
    const reference = Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const current = Float64Array.from([-5, 4.5, 4.5, 20]);
    const result = numericDrift(reference, current, { edges: Float64Array.from([4.5]) });
    assert.deepEqual([...result.referenceCounts], [5, 5]);
    assert.deepEqual([...result.currentCounts], [1, 3]);
    assert.equal(result.outOfRangeRatio, 0.5);
  });

  it('measures null rate and out-of-range mass', () => {
    assert.equal(nullRate(3, 12), 0.25);
    assert.equal(nullRate(0, 0), 0);
    assert.throws(() => nullRate(5, 4), /null count 5/);
    assert.equal(outOfRangeRatio([-1, 0, 0.5, 1, 2, NaN], 0, 1), 2 / 5);
  });

  it('puts unseen categories in one bucket after the sorted reference categories', () => {
    const counts = categoricalCounts(['b', 'a', 'b'], ['a', 'x', 'y', 'b']);
    assert.deepEqual(counts.categories, ['a', 'b']);
    assert.deepEqual([...counts.referenceCounts], [1, 2, 0]);
    assert.deepEqual([...counts.currentCounts], [1, 1, 2]);
  });
});
