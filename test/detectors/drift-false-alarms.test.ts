// No-drift simulation: reference and current windows drawn from the same distribution, so every
// alarm is false. The calibrated tests must alarm at about the nominal rate alpha at every
// window size; a fixed "PSI > 0.1" rule cannot (it fires on most 100-row windows).
//
// Tolerance: with R repetitions the observed rate of a calibrated test is Binomial(R, α)/R, so
// we accept α ± 3.29·√(α(1 − α)/R) (the two-sided 99.9% band). 100-row windows get a further
// ±0.015: with 10 bins the expected counts are 10, where the χ²(K − 1) laws are approximations
// (PSI's 0.5 pseudo-counts shrink it by about (M/(M + 0.5K))², making it slightly conservative).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_DRIFT_THRESHOLDS,
  evaluateSnapshot,
  FeatureWindows,
  INITIAL_DRIFT_STREAK,
  nextDriftStreak,
  numericDrift,
  numericReferenceFromValues,
  psiVerdict,
} from '../../detectors/index.js';
import { simulateFalseAlarms } from '../support/drift-simulation.js';
import { normal, seededRandom } from '../support/random.js';

const ALPHA = DEFAULT_DRIFT_THRESHOLDS.alpha;
const BINS = 10;
const band = (repetitions: number) => 3.29 * Math.sqrt((ALPHA * (1 - ALPHA)) / repetitions);

function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const lines = [header, ...rows].map((row) =>
    row
      .map((cell, i) =>
        (typeof cell === 'number' && i > 0 ? cell.toFixed(4) : String(cell)).padStart(
          i === 0 ? 10 : 14,
        ),
      )
      .join(''),
  );
  console.log(`\n${title}\n${lines.join('\n')}\n`);
}

describe('no-drift false-alarm rate', () => {
  it('stays near alpha from 100-row to 1M-row windows; fixed PSI > 0.1 does not', () => {
    const random = seededRandom(20261122);
    const repetitions = 3000;
    const results = [100, 1000, 10000, 100000, 1000000].map((rows) =>
      simulateFalseAlarms(random, rows, repetitions, BINS),
    );
    printTable(
      `false-alarm rates, α = ${ALPHA}, ${BINS} bins, reference rows = window rows, R = ${repetitions}`,
      ['rows', 'PSI test', 'G-test (JS)', 'PSI decision', 'PSI > 0.1'],
      results.map((r) => [r.windowRows, r.psiTest, r.gTest, r.psiDecision, r.fixedPsiRule]),
    );
    for (const r of results) {
      const tolerance = band(repetitions) + (r.windowRows <= 100 ? 0.015 : 0);
      for (const [name, rate] of [
        ['PSI test', r.psiTest],
        ['G-test', r.gTest],
      ] as const) {
        assert.ok(
          Math.abs(rate - ALPHA) <= tolerance,
          `${name} at ${r.windowRows} rows: ${rate} outside ${ALPHA} ± ${tolerance.toFixed(4)}`,
        );
      }
      // Effect threshold and test together never alarm more often than the test alone.
      assert.ok(r.psiDecision <= r.psiTest);
    }
    const small = results[0]!;
    const large = results[results.length - 1]!;
    assert.ok(
      small.fixedPsiRule > 0.5,
      `PSI > 0.1 fired on ${small.fixedPsiRule} of 100-row windows`,
    );
    assert.equal(large.fixedPsiRule, 0);
  });

  it('holds on raw values with reference quantile edges (PSI, G-test and exact KS)', () => {
    const random = seededRandom(99);
    const repetitions = 1000;
    const rows: (string | number)[][] = [];
    for (const windowRows of [100, 1000]) {
      const rejections = { psi: 0, js: 0, ks: 0 };
      for (let r = 0; r < repetitions; r++) {
        const reference = Float64Array.from({ length: windowRows }, () => normal(random)).sort();
        const current = Float64Array.from({ length: windowRows }, () => normal(random)).sort();
        const result = numericDrift(reference, current, { binCount: BINS });
        for (const v of result.verdicts) if (v.significant) rejections[v.metric as 'psi']++;
      }
      const rates = [rejections.psi, rejections.js, rejections.ks].map((c) => c / repetitions);
      rows.push([windowRows, ...rates]);
      const tolerance = band(repetitions) + (windowRows <= 100 ? 0.015 : 0);
      for (const rate of rates) {
        assert.ok(Math.abs(rate - ALPHA) <= tolerance, `${windowRows} rows: rate ${rate}`);
      }
    }
    printTable(
      `raw-value false-alarm rates, α = ${ALPHA}, R = ${repetitions}`,
      ['rows', 'PSI test', 'G-test (JS)', 'KS exact'],
      rows,
    );
  });
});

/** Smallest c with P(Binomial(runs, alpha) >= c) <= 0.001: more alarms than c − 1 would be a fault. */
function alarmCeiling(runs: number, alpha: number): number {
  let pmf = (1 - alpha) ** runs;
  let below = 0;
  for (let c = 0; c <= runs; c++) {
    below += pmf; // P(X <= c)
    if (1 - below <= 0.001) return c + 1;
    pmf *= ((runs - c) / (c + 1)) * (alpha / (1 - alpha));
  }
  return runs + 1;
}

/** Kolmogorov statistic √n·sup|F_n(p) − p| of p-values against Uniform(0, 1). */
function uniformityStatistic(pvalues: number[]): number {
  const sorted = [...pvalues].sort((a, b) => a - b);
  const n = sorted.length;
  let d = 0;
  sorted.forEach((p, i) => (d = Math.max(d, (i + 1) / n - p, p - i / n)));
  return Math.sqrt(n) * d;
}
// scipy: kstwobign.isf(0.001), the Kolmogorov law's 99.9 % point.
const UNIFORMITY_CRITICAL = 1.9494746035043753;

describe('no-drift false alarms on raw values through the monitor path (100 k and 1 M rows)', () => {
  // Real values, not counts: N(0, 1) draws from the seeded generator, the reference frozen by
  // numericReferenceFromValues (type-7 decile edges, 200 fine bins), the window counted by
  // FeatureWindows and judged by evaluateSnapshot, exactly as the drift monitor does. A 1 M-row
  // run costs ~0.5 s, so the runs are few: this shows the path adds no gross bias (rates below
  // the binomial 99.9 % ceiling, PSI and G p-values not far from uniform), not the rate to
  // ±0.013 that the count simulation above shows.
  it('PSI and G-test alarm at about alpha, streaming KS at most alpha', () => {
    const random = seededRandom(20261201);
    const pvalues = { psi: [] as number[], js: [] as number[] };
    const rows: (string | number)[][] = [];
    for (const [windowRows, runs] of [
      [100_000, 100],
      [1_000_000, 10],
    ] as const) {
      const alarms = { psi: 0, js: 0, ks: 0 };
      for (let r = 0; r < runs; r++) {
        const reference = numericReferenceFromValues(
          Float64Array.from({ length: windowRows }, () => normal(random)),
        );
        const windows = FeatureWindows.create(reference, 0, [
          { windowSeconds: 60, subWindowSeconds: 60 },
        ]);
        windows.updateNumbers(
          Float64Array.from({ length: windowRows }, () => normal(random)),
          1,
        );
        const [snapshot] = windows.snapshot(2);
        const evaluation = evaluateSnapshot(reference, snapshot!);
        assert.equal(evaluation.windowValues, windowRows);
        for (const v of evaluation.verdicts) {
          const metric = v.metric as 'psi' | 'js' | 'ks';
          if (v.significant) alarms[metric]++;
          if (metric !== 'ks') pvalues[metric].push(v.pvalue);
        }
      }
      const ceiling = alarmCeiling(runs, ALPHA);
      rows.push([windowRows, String(runs), alarms.psi / runs, alarms.js / runs, alarms.ks / runs]);
      for (const [metric, count] of Object.entries(alarms)) {
        assert.ok(count < ceiling, `${metric} at ${windowRows} rows: ${count} of ${runs} alarmed`);
      }
    }
    printTable(
      `monitor-path false-alarm rates on raw values, α = ${ALPHA}, 10 bins, 200 fine bins`,
      ['rows', 'runs', 'PSI test', 'G-test (JS)', 'KS (stream)'],
      rows,
    );
    for (const [metric, values] of Object.entries(pvalues)) {
      const statistic = uniformityStatistic(values);
      assert.ok(
        statistic < UNIFORMITY_CRITICAL,
        `${metric} p-values of ${values.length} runs: √n·D = ${statistic} against Uniform(0, 1)`,
      );
    }
  });
});

describe('k consecutive windows', () => {
  it('flags a feature only after k drifting windows in a row and clears on a quiet one', () => {
    const windows = [true, true, false, true, true, true, true, false];
    const states: boolean[] = [];
    let state = INITIAL_DRIFT_STREAK;
    for (const drifting of windows) {
      state = nextDriftStreak(state, drifting, 3);
      states.push(state.drifting);
    }
    assert.deepEqual(states, [false, false, false, false, false, true, true, false]);
    assert.throws(() => nextDriftStreak(state, true, 0), /consecutiveWindows/);
  });

  it('requires both the effect size and the test', () => {
    // 1M vs 1M rows, a tiny but real shift: significant, yet PSI is far below 0.1.
    const tinyShift = psiVerdict(0.0005, 10, 1e6, 1e6);
    assert.equal(tinyShift.significant, true);
    assert.equal(tinyShift.effectExceeded, false);
    assert.equal(tinyShift.drift, false);
    // 50 vs 50 rows: PSI 0.3 looks large but is within noise for these sizes.
    const noisy = psiVerdict(0.3, 10, 50, 50);
    assert.equal(noisy.effectExceeded, true);
    assert.equal(noisy.significant, false);
    assert.equal(noisy.drift, false);
    const real = psiVerdict(0.3, 10, 5000, 5000);
    assert.equal(real.drift, true);
  });
});
