import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  categoricalReferenceFromCounts,
  evaluateSnapshot,
  FeatureWindows,
  ksCriticalValue,
  numericReferenceFromValues,
  windowLabel,
  type DriftReading,
  type WindowEvaluation,
} from '../../detectors/index.js';

// Expected numbers come from scipy 1.17 / numpy on the same counts (PSI by its formula with
// 0.5 pseudo-counts, scipy.spatial.distance.jensenshannon, chi2_contingency, kstwo).
const t0 = 1_700_000_000_000;
const specs = [{ windowSeconds: 60, subWindowSeconds: 10 }];

function reading(evaluation: WindowEvaluation, metric: string): DriftReading {
  const found = evaluation.readings.find((r) => r.metric === metric);
  assert.ok(found, `reading ${metric} missing`);
  return found;
}

function close(actual: number | null, expected: number, relative = 1e-9): void {
  assert.ok(actual !== null, `expected ${expected}, got null`);
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)),
    `expected ${expected}, got ${actual}`,
  );
}

describe('evaluateSnapshot, numeric', () => {
  // Reference 1..100, 4 quantile bins: edges 25.75, 50.5, 75.25, counts 25 each.
  const reference = numericReferenceFromValues(
    Array.from({ length: 100 }, (_, i) => i + 1),
    { bins: 4, fineBins: 100 },
  );
  const windows = FeatureWindows.create(reference, t0, specs);
  for (let x = 41; x <= 100; x++) windows.update(x, t0);
  for (let i = 0; i < 20; i++) windows.update(null, t0);
  for (let i = 0; i < 5; i++) windows.update('oops', t0);
  const [snapshot] = windows.snapshot(t0 + 1000);
  const evaluation = evaluateSnapshot(reference, snapshot!, { minWindowValues: 50 });

  it('counts current values into the reference bins', () => {
    assert.deepEqual(Array.from(reference.edges), [25.75, 50.5, 75.25]);
    assert.equal(evaluation.referenceValues, 100);
    assert.equal(evaluation.windowValues, 60);
    assert.equal(evaluation.window, '1m');
  });

  it('matches scipy for PSI, JS and their critical values and p-values', () => {
    close(reading(evaluation, 'psi').value, 1.0228048462237);
    close(reading(evaluation, 'psi').critical, 0.20839274408669808);
    close(reading(evaluation, 'psi').pvalue, 2.3770607661777053e-8, 1e-6);
    close(reading(evaluation, 'js_distance').value, 0.33450599072018944);
    close(reading(evaluation, 'js_divergence').value, 0.11189425782769546);
    close(reading(evaluation, 'js_distance').critical, 0.16139731413761896);
    close(reading(evaluation, 'js_distance').pvalue, 7.745118355505547e-7, 1e-6);
  });

  it('gives the streaming KS statistic, its bound and the asymptotic p-value', () => {
    const ks = reading(evaluation, 'ks_statistic');
    // ks_2samp on the raw values gives D = 0.4; the fine edges resolve it exactly here.
    close(ks.value, 0.4, 1e-12);
    assert.ok(reading(evaluation, 'ks_error_bound').value <= 0.02);
    close(ks.pvalue, 5.330932760760721e-6, 1e-6); // kstwo.sf(0.4, round(100·60/160) = 38)
    close(ks.critical, 0.2154383568266218, 1e-9); // kstwo.isf(0.05, 38)
  });

  it('reports null, invalid and out-of-range shares', () => {
    close(reading(evaluation, 'null_rate').value, 20 / 85);
    close(reading(evaluation, 'null_rate').pvalue, 2.802170741093107e-7, 1e-6);
    close(reading(evaluation, 'invalid_ratio').value, 5 / 85);
    close(reading(evaluation, 'out_of_range_ratio').value, 0);
  });

  it('ranks the top PSI bins with their ranges', () => {
    assert.deepEqual(
      evaluation.topBins.map((b) => [b.rank, b.bin]),
      [
        [1, '[-inf, 25.75)'],
        [2, '[50.5, 75.25)'],
        [3, '[75.25, +inf)'],
      ],
    );
    close(evaluation.topBins[0]!.contribution, 0.8308033559238257);
    close(evaluation.topBins[1]!.contribution, 0.08029652068373866);
  });

  it('decides drift only with enough values', () => {
    assert.equal(evaluation.decided, true);
    assert.equal(evaluation.drift, true);
    const undecided = evaluateSnapshot(reference, snapshot!, { minWindowValues: 61 });
    assert.equal(undecided.decided, false);
    assert.equal(undecided.drift, false);
    close(reading(undecided, 'psi').value, 1.0228048462237);
  });

  it('has no distribution readings for an empty window', () => {
    const empty = FeatureWindows.create(reference, t0, specs).snapshot(t0)[0]!;
    const result = evaluateSnapshot(reference, empty);
    assert.equal(result.drift, false);
    assert.deepEqual(
      result.readings.map((r) => r.metric),
      ['null_rate', 'invalid_ratio', 'out_of_range_ratio'],
    );
  });
});

describe('evaluateSnapshot, categorical', () => {
  const reference = categoricalReferenceFromCounts({
    categories: ['a', 'b', 'c'],
    counts: [50, 30, 20],
  });
  const windows = FeatureWindows.create(reference, t0, specs);
  const add = (value: string, times: number) => {
    for (let i = 0; i < times; i++) windows.update(value, t0);
  };
  add('a', 20);
  add('b', 30);
  add('c', 30);
  add('d', 20);
  const evaluation = evaluateSnapshot(reference, windows.snapshot(t0)[0]!, {
    minWindowValues: 100,
  });

  it('matches scipy for PSI, JS and the chi-square test', () => {
    close(reading(evaluation, 'psi').value, 1.032263851106713);
    close(reading(evaluation, 'js_distance').value, 0.3279569386898341);
    close(reading(evaluation, 'js_distance').pvalue, 2.434315968461147e-9, 1e-6);
    close(reading(evaluation, 'chi2_cramers_v').value, 0.4174754056057845);
    close(reading(evaluation, 'chi2_cramers_v').critical, 0.19767053274642604);
    close(reading(evaluation, 'chi2_cramers_v').pvalue, 1.3059187839101502e-7, 1e-6);
    close(reading(evaluation, 'unseen_ratio').value, 0.2);
  });

  it('names the unseen bucket among the top bins', () => {
    assert.deepEqual(
      evaluation.topBins.map((b) => b.bin),
      ['(unseen)', 'a', 'c'],
    );
    close(evaluation.topBins[0]!.contribution, 0.7281513856282956);
    assert.equal(evaluation.drift, true);
  });
});

describe('windowLabel', () => {
  it('uses the largest whole unit', () => {
    assert.deepEqual([300, 3600, 86_400, 90, 5].map(windowLabel), ['5m', '1h', '24h', '90s', '5s']);
  });
});

describe('ksCriticalValue', () => {
  it('inverts kstwo.sf like scipy.stats.kstwo.isf(0.05, n)', () => {
    const scipy: [number, number][] = [
      [1, 0.975],
      [5, 0.5632751983660635],
      [38, 0.2154383568266218],
      [500, 0.06039229379650354],
      [17_000, 0.010406284378219876],
    ];
    for (const [n, expected] of scipy) close(ksCriticalValue(n, 0.05), expected, 1e-9);
  });
});
