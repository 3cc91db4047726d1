import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FeatureWindows,
  numericReferenceFromValues,
  streamingKs,
  type NumericWindowSnapshot,
} from '../../../detectors/index.js';
import { seededRandom as rng } from '../../support/random.js';

/** Exact two-sample D by definition: max over every sample point of |F_a(x) - F_b(x)|. */
function exactD(a: number[], b: number[]): number {
  const cdf = (sample: number[], x: number) => sample.filter((v) => v <= x).length / sample.length;
  let d = 0;
  for (const x of new Set([...a, ...b])) d = Math.max(d, Math.abs(cdf(a, x) - cdf(b, x)));
  return d;
}

function windowKs(reference: number[], current: number[], fineBins: number) {
  const ref = numericReferenceFromValues(reference, { fineBins });
  const state = FeatureWindows.create(ref, 0, [{ windowSeconds: 60, subWindowSeconds: 60 }]);
  state.updateNumbers(current, 1);
  const [snap] = state.snapshot(2) as NumericWindowSnapshot[];
  const ks = streamingKs(ref.fineCounts, snap!.fineCounts);
  assert.deepEqual(snap!.ks, ks, 'the window snapshot carries the same streaming KS');
  return { ks, ref };
}

describe('streaming KS from fine bins', () => {
  it('brackets the exact statistic of the worked example (D = 5/9)', () => {
    const a = [0.1, 0.5, 0.9, 1.3, 1.7, 2.0, 2.4, 2.8];
    const b = [1.1, 1.6, 2.2, 2.6, 3.0, 3.5, 3.9, 4.4, 5.0];
    assert.equal(exactD(a, b), 5 / 9); // scipy ks_2samp statistic
    const { ks } = windowKs(a, b, 200);
    assert.ok(ks.statistic <= 5 / 9 + 1e-12 && 5 / 9 <= ks.upperBound + 1e-12, JSON.stringify(ks));
  });

  for (const [name, shift, scale, seed] of [
    ['no drift', 0, 1, 1],
    ['shifted', 0.3, 1, 2],
    ['wider', 0, 2, 3],
    ['far out of range', 5, 1, 4],
  ] as const) {
    it(`holds the exact D within [statistic, statistic + errorBound]: ${name}`, () => {
      const next = rng(seed);
      const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      const reference = Array.from({ length: 3000 }, () => Math.round(normal() * 50) / 50);
      const current = Array.from({ length: 2000 }, () => shift + scale * normal());
      for (const fineBins of [20, 100, 400]) {
        const { ks, ref } = windowKs(reference, current, fineBins);
        const d = exactD(reference, current);
        assert.ok(ks.statistic <= d + 1e-12, `${ks.statistic} <= ${d}`);
        assert.ok(d <= ks.upperBound + 1e-12, `${d} <= ${ks.upperBound}`);
        // The bound never exceeds the largest reference mass in one fine bin.
        const maxRefMass = Math.max(...ref.fineCounts) / ref.n;
        assert.ok(ks.errorBound <= maxRefMass + 1e-12, `${ks.errorBound} <= ${maxRefMass}`);
      }
    });
  }

  it('gives NaN without data on one side', () => {
    assert.ok(Number.isNaN(streamingKs([1, 2], [0, 0]).statistic));
  });
});
