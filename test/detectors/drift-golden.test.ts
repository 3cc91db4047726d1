// Drift statistics against numpy/scipy values (test/fixtures/drift/generate_golden.py):
// 1e-9 relative for statistics, 1e-6 relative for p-values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  categoricalCounts,
  chiSquareCritical,
  chiSquareSf,
  categoricalDrift,
  gTest,
  kolmogorovSf,
  ksTestSorted,
  nullRateTest,
  numericDrift,
  pearsonChiSquare,
  psiCriticalValue,
  psiFromProportions,
  psiPvalue,
} from '../../detectors/index.js';

const STAT_RTOL = 1e-9;
const PVALUE_RTOL = 1e-6;

interface Homogeneity {
  statistic: number;
  pvalue: number;
  dof: number;
}
interface NumericCase {
  name: string;
  bins: number;
  reference: number[];
  current: number[];
  expected: {
    edges: number[];
    reference_counts: number[];
    current_counts: number[];
    psi: number;
    psi_contributions: number[];
    js_divergence: number;
    js_distance: number;
    ks_statistic: number;
    ks_pvalue: number;
    ks_method: string;
    wasserstein: number;
    out_of_range_ratio: number;
    g_test: Homogeneity;
    psi_critical: number;
    psi_pvalue: number;
  };
}
interface CategoricalCase {
  name: string;
  reference_counts: Record<string, number>;
  current_counts: Record<string, number>;
  expected: {
    categories: string[];
    reference_counts: number[];
    current_counts: number[];
    psi: number;
    psi_contributions: number[];
    js_divergence: number;
    js_distance: number;
    chi2: Homogeneity;
    g_test: Homogeneity;
    unseen_ratio: number;
  };
}
interface Golden {
  scipy_version: string;
  alpha: number;
  anchors: {
    psi_proportions: { p: number[]; q: number[]; psi: number };
    g_test: Homogeneity & { reference_counts: number[]; current_counts: number[] };
    psi_critical: { alpha: number; bins: number; n: number; m: number; value: number };
  };
  numeric: NumericCase[];
  categorical: CategoricalCase[];
  count_tables: {
    name: string;
    reference_counts: number[];
    current_counts: number[];
    expected: { chi2: Homogeneity; g_test: Homogeneity };
  }[];
  kstwo_sf: { n: number; x: number; sf: number }[];
  chi2_sf: { x: number; df: number; sf: number }[];
  chi2_isf: { alpha: number; df: number; value: number }[];
  null_rate: {
    reference: { nullCount: number; rowCount: number };
    current: { nullCount: number; rowCount: number };
    statistic: number;
    pvalue: number;
  }[];
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/drift/golden.json', import.meta.url), 'utf8'),
) as Golden;

function close(actual: number, expected: number, rtol: number, label: string): void {
  const tolerance = rtol * Math.abs(expected) + 1e-300;
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${label}: got ${actual}, scipy ${expected} (relative error ${Math.abs(actual - expected) / Math.abs(expected)})`,
  );
}

function closeAll(actual: ArrayLike<number>, expected: number[], rtol: number, label: string) {
  assert.equal(actual.length, expected.length, `${label}: length`);
  // Edges near 0 come from a − (b − a)·t vs b − (b − a)(1 − t): allow an absolute 1e-12 too.
  expected.forEach((e, i) =>
    assert.ok(
      Math.abs((actual[i] as number) - e) <= rtol * Math.abs(e) + 1e-12,
      `${label}[${i}]: got ${actual[i]}, numpy ${e}`,
    ),
  );
}

const sorted = (values: number[]) => Float64Array.from(values).sort();

describe(`drift statistics match scipy ${golden.scipy_version}`, () => {
  it('reproduces the worked numbers', () => {
    const a = golden.anchors;
    close(psiFromProportions(a.psi_proportions.p, a.psi_proportions.q), 0.0628608659, 1e-9, 'PSI');
    close(
      psiFromProportions(a.psi_proportions.p, a.psi_proportions.q),
      a.psi_proportions.psi,
      STAT_RTOL,
      'PSI',
    );
    const g = gTest(a.g_test.reference_counts, a.g_test.current_counts);
    close(g.statistic, 68.0416667135, 1e-11, 'G');
    close(g.statistic, a.g_test.statistic, STAT_RTOL, 'G');
    close(g.pvalue, a.g_test.pvalue, PVALUE_RTOL, 'G p-value');
    const c = a.psi_critical;
    const critical = psiCriticalValue(c.alpha, c.bins, c.n, c.m);
    assert.equal(critical.toFixed(6), '0.033838');
    const ks = ksTestSorted(
      Float64Array.from([0.1, 0.5, 0.9, 1.3, 1.7, 2.0, 2.4, 2.8]),
      Float64Array.from([1.1, 1.6, 2.2, 2.6, 3.0, 3.5, 3.9, 4.4, 5.0]),
    );
    close(ks.statistic, 5 / 9, 1e-15, 'KS D');
    close(ks.pvalue, 0.0785684903, 1e-9, 'KS exact p-value');
    close(critical, c.value, STAT_RTOL, 'PSI critical');
  });

  for (const testCase of golden.numeric) {
    it(`numeric: ${testCase.name} (N=${testCase.reference.length}, M=${testCase.current.length})`, () => {
      const e = testCase.expected;
      const result = numericDrift(sorted(testCase.reference), sorted(testCase.current), {
        binCount: testCase.bins,
      });
      closeAll(result.edges, e.edges, STAT_RTOL, 'edges');
      assert.deepEqual([...result.referenceCounts], e.reference_counts, 'reference counts');
      assert.deepEqual([...result.currentCounts], e.current_counts, 'current counts');
      close(result.psi, e.psi, STAT_RTOL, 'psi');
      closeAll(result.psiContributions, e.psi_contributions, STAT_RTOL, 'psi contributions');
      close(result.jsDivergence, e.js_divergence, STAT_RTOL, 'js_divergence');
      close(result.jsDistance, e.js_distance, STAT_RTOL, 'js_distance');
      close(result.ks.statistic, e.ks_statistic, STAT_RTOL, 'ks_statistic');
      assert.equal(result.ks.method, e.ks_method);
      close(result.ks.pvalue, e.ks_pvalue, PVALUE_RTOL, 'ks_pvalue');
      close(result.wasserstein, e.wasserstein, STAT_RTOL, 'wasserstein');
      close(result.outOfRangeRatio, e.out_of_range_ratio, STAT_RTOL, 'out_of_range_ratio');
      const g = gTest(result.referenceCounts, result.currentCounts);
      close(g.statistic, e.g_test.statistic, STAT_RTOL, 'G');
      close(g.pvalue, e.g_test.pvalue, PVALUE_RTOL, 'G p-value');
      assert.equal(g.degreesOfFreedom, e.g_test.dof);
      const psiVerdict = result.verdicts.find((v) => v.metric === 'psi');
      close(psiVerdict?.criticalValue ?? NaN, e.psi_critical, STAT_RTOL, 'psi critical');
      close(psiVerdict?.pvalue ?? NaN, e.psi_pvalue, PVALUE_RTOL, 'psi p-value');
      const bins = e.reference_counts.filter((c, i) => c + (e.current_counts[i] ?? 0) > 0).length;
      close(
        psiPvalue(e.psi, bins, testCase.reference.length, testCase.current.length),
        e.psi_pvalue,
        PVALUE_RTOL,
        'psiPvalue',
      );
    });
  }

  for (const testCase of golden.categorical) {
    it(`categorical: ${testCase.name}`, () => {
      const e = testCase.expected;
      const expand = (counts: Record<string, number>) =>
        Object.entries(counts).flatMap(([category, count]) => Array<string>(count).fill(category));
      const counts = categoricalCounts(
        expand(testCase.reference_counts),
        expand(testCase.current_counts),
      );
      assert.deepEqual(counts.categories, e.categories);
      assert.deepEqual([...counts.referenceCounts], e.reference_counts);
      assert.deepEqual([...counts.currentCounts], e.current_counts);
      const result = categoricalDrift(counts);
      close(result.psi, e.psi, STAT_RTOL, 'psi');
      closeAll(result.psiContributions, e.psi_contributions, STAT_RTOL, 'psi contributions');
      close(result.jsDivergence, e.js_divergence, STAT_RTOL, 'js_divergence');
      close(result.jsDistance, e.js_distance, STAT_RTOL, 'js_distance');
      close(result.chi2.statistic, e.chi2.statistic, STAT_RTOL, 'chi2');
      close(result.chi2.pvalue, e.chi2.pvalue, PVALUE_RTOL, 'chi2 p-value');
      assert.equal(result.chi2.degreesOfFreedom, e.chi2.dof);
      const g = gTest(counts.referenceCounts, counts.currentCounts);
      close(g.statistic, e.g_test.statistic, STAT_RTOL, 'G');
      close(g.pvalue, e.g_test.pvalue, PVALUE_RTOL, 'G p-value');
      close(result.unseenRatio, e.unseen_ratio, STAT_RTOL, 'unseen_ratio');
    });
  }

  for (const table of golden.count_tables) {
    it(`homogeneity tests drop columns empty on both sides: ${table.name}`, () => {
      const chi2 = pearsonChiSquare(table.reference_counts, table.current_counts);
      const g = gTest(table.reference_counts, table.current_counts);
      for (const [ours, theirs, label] of [
        [chi2, table.expected.chi2, 'chi2'],
        [g, table.expected.g_test, 'G'],
      ] as const) {
        close(ours.statistic, theirs.statistic, STAT_RTOL, label);
        close(ours.pvalue, theirs.pvalue, PVALUE_RTOL, `${label} p-value`);
        assert.equal(ours.degreesOfFreedom, theirs.dof);
      }
    });
  }

  it('kstwo.sf across every Simard–L’Ecuyer regime', () => {
    for (const { n, x, sf } of golden.kstwo_sf) {
      close(kolmogorovSf(n, x), sf, PVALUE_RTOL, `kstwo.sf(${x}, ${n})`);
    }
  });

  it('chi-square survival function and critical values match chi2.sf / chi2.isf', () => {
    for (const { x, df, sf } of golden.chi2_sf) {
      close(chiSquareSf(x, df), sf, PVALUE_RTOL, `chi2.sf(${x}, ${df})`);
    }
    for (const { alpha, df, value } of golden.chi2_isf) {
      close(chiSquareCritical(alpha, df), value, STAT_RTOL, `chi2.isf(${alpha}, ${df})`);
    }
  });

  it('null-rate change test matches chi2_contingency', () => {
    for (const c of golden.null_rate) {
      const result = nullRateTest(c.reference, c.current);
      close(result.statistic, c.statistic, STAT_RTOL, 'null-rate chi2');
      close(result.pvalue, c.pvalue, PVALUE_RTOL, 'null-rate p-value');
    }
  });
});
