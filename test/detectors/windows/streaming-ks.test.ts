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

/**
 * What the fine bins can know, by definition from the raw values: the gap of the left-limit
 * CDFs P(X < e) at every fine edge (a lower bound of D), and per bin [lo, hi) the widest gap
 * the two CDFs can have inside it (each lies between P(X < lo) and P(X < hi)).
 */
function fineEdgeKs(reference: number[], current: number[], fineEdges: ArrayLike<number>) {
  const below = (sample: number[], e: number) => sample.filter((v) => v < e).length / sample.length;
  const edges = [-Infinity, ...Array.from(fineEdges), Infinity];
  let statistic = 0;
  let upper = 0;
  for (let j = 0; j + 1 < edges.length; j++) {
    const [lo, hi] = [edges[j]!, edges[j + 1]!];
    const [refHi, curHi] = [below(reference, hi), below(current, hi)];
    upper = Math.max(upper, refHi - below(current, lo), curHi - below(reference, lo));
    if (hi < Infinity) statistic = Math.max(statistic, Math.abs(refHi - curHi));
  }
  return { statistic, upperBound: Math.min(1, Math.max(statistic, upper)) };
}

/** The streaming KS a window snapshot reports, checked against `fineEdgeKs` on the raw values. */
function windowKs(reference: number[], current: number[], fineBins: number) {
  const ref = numericReferenceFromValues(reference, { fineBins });
  const state = FeatureWindows.create(ref, 0, [{ windowSeconds: 60, subWindowSeconds: 60 }]);
  state.updateNumbers(current, 1);
  const [snap] = state.snapshot(2) as NumericWindowSnapshot[];
  const ks = snap!.ks;
  const expected = fineEdgeKs(reference, current, ref.fineEdges);
  assert.ok(
    Math.abs(ks.statistic - expected.statistic) <= 1e-12,
    `${ks.statistic} vs ${expected.statistic}`,
  );
  assert.ok(
    Math.abs(ks.upperBound - expected.upperBound) <= 1e-12,
    `${ks.upperBound} vs ${expected.upperBound}`,
  );
  assert.ok(Math.abs(ks.errorBound - (ks.upperBound - ks.statistic)) <= 1e-15);
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

  it('equals the exact D when every value sits on a fine edge (discrete data)', () => {
    // Integers 0..9: the reference 300 of each, the current a hump. By hand (and scipy's
    // ks_2samp): F_ref(k) = (k + 1)/10, F_cur = .05 .125 .225 .35 .5 .65 .775 .875 .95 1, so
    // D = 0.075 at k = 1, 2, 6, 7. Each integer is a fine edge, so no value falls inside a bin.
    const reference = Array.from({ length: 3000 }, (_, i) => i % 10);
    const hump = [100, 150, 200, 250, 300, 300, 250, 200, 150, 100];
    const current = hump.flatMap((count, k) => Array<number>(count).fill(k));
    assert.ok(Math.abs(exactD(reference, current) - 0.075) <= 1e-12);
    const { ks, ref } = windowKs(reference, current, 100);
    for (let k = 0; k < 10; k++) assert.ok(ref.fineEdges.includes(k), `edge ${k}`);
    assert.ok(Math.abs(ks.statistic - 0.075) <= 1e-12, JSON.stringify(ks));
    assert.ok(ks.upperBound >= 0.075 - 1e-12, JSON.stringify(ks));
  });

  it('gives NaN without data on one side', () => {
    assert.ok(Number.isNaN(streamingKs([1, 2], [0, 0]).statistic));
  });
});
