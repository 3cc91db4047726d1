/**
 * The `pipewatch drift` report: a JSON object with the design's keys (snake_case) plus the
 * calibrated tests, and a readable table rendering of the same object.
 */
import type { CategoricalDrift, MetricVerdict, NumericDrift } from '../../detectors/index.js';

export interface ColumnSummary {
  readonly nullCount: number;
  readonly rowCount: number;
}

export interface NullRates {
  readonly reference: ColumnSummary;
  readonly current: ColumnSummary;
  readonly pvalue: number;
}

type Json = Record<string, unknown>;

function tests(verdicts: readonly MetricVerdict[]): Json {
  return Object.fromEntries(
    verdicts.map((v) => [
      v.metric,
      {
        effect: v.effect,
        effect_threshold: v.effectThreshold,
        critical_value: v.criticalValue,
        pvalue: v.pvalue,
        effect_exceeded: v.effectExceeded,
        significant: v.significant,
        drift: v.drift,
      },
    ]),
  );
}

function nullFields(nulls: NullRates): Json {
  const rate = (c: ColumnSummary) => (c.rowCount === 0 ? 0 : c.nullCount / c.rowCount);
  return {
    null_rate_reference: rate(nulls.reference),
    null_rate_current: rate(nulls.current),
    null_rate_pvalue: nulls.pvalue,
  };
}

export function numericReport(
  result: NumericDrift,
  nulls: NullRates,
  decision: { metric: string; alpha: number },
): Json {
  return {
    kind: 'numeric',
    n_reference: result.nReference,
    n_current: result.nCurrent,
    psi: result.psi,
    js_divergence: result.jsDivergence,
    js_distance: result.jsDistance,
    ks_statistic: result.ks.statistic,
    ks_pvalue: result.ks.pvalue,
    ks_method: result.ks.method,
    wasserstein: result.wasserstein,
    out_of_range_ratio: result.outOfRangeRatio,
    ...nullFields(nulls),
    drift: result.drift,
    decision_metric: decision.metric,
    alpha: decision.alpha,
    tests: tests(result.verdicts),
    bins: {
      edges: [...result.edges],
      reference_counts: [...result.referenceCounts],
      current_counts: [...result.currentCounts],
      psi_contributions: [...result.psiContributions],
    },
  };
}

export function categoricalReport(
  result: CategoricalDrift,
  categories: readonly string[],
  counts: { referenceCounts: Float64Array; currentCounts: Float64Array },
  nulls: NullRates,
  decision: { metric: string; alpha: number },
): Json {
  return {
    kind: 'categorical',
    n_reference: nulls.reference.rowCount - nulls.reference.nullCount,
    n_current: nulls.current.rowCount - nulls.current.nullCount,
    psi: result.psi,
    js_divergence: result.jsDivergence,
    js_distance: result.jsDistance,
    chi2_statistic: result.chi2.statistic,
    chi2_pvalue: result.chi2.pvalue,
    chi2_dof: result.chi2.degreesOfFreedom,
    unseen_ratio: result.unseenRatio,
    ...nullFields(nulls),
    drift: result.drift,
    decision_metric: decision.metric,
    alpha: decision.alpha,
    tests: tests(result.verdicts),
    categories: [...categories, null].map((category, i) => ({
      category,
      reference_count: counts.referenceCounts[i],
      current_count: counts.currentCounts[i],
      psi_contribution: result.psiContributions[i],
    })),
  };
}

const fmt = (x: unknown): string =>
  typeof x === 'number' ? String(Number(x.toPrecision(6))) : String(x);

/** A readable rendering of a report built above. */
export function reportTable(report: Json): string {
  const lines: string[] = [];
  const scalarKeys = Object.keys(report).filter(
    (k) => typeof report[k] !== 'object' || report[k] === null,
  );
  const width = Math.max(...scalarKeys.map((k) => k.length));
  for (const key of scalarKeys) lines.push(`${key.padEnd(width)}  ${fmt(report[key])}`);
  lines.push('', 'test   effect        threshold     critical      p-value       verdict');
  for (const [metric, raw] of Object.entries(report.tests as Record<string, Json>)) {
    const cells = [raw.effect, raw.effect_threshold, raw.critical_value ?? '-', raw.pvalue];
    const verdict = raw.drift ? 'DRIFT' : raw.significant ? 'significant, small effect' : 'ok';
    lines.push(`${metric.padEnd(6)} ${cells.map((c) => fmt(c).padEnd(13)).join(' ')} ${verdict}`);
  }
  lines.push('', ...binLines(report));
  lines.push('', report.drift ? 'drift detected' : 'no drift detected');
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

/** Per-bin (numeric) or per-category rows: which part of the distribution moved. */
function binLines(report: Json): string[] {
  const header = 'bin                          reference     current       psi term';
  const row = (label: string, reference: unknown, current: unknown, term: unknown) =>
    `${label.padEnd(28)} ${[reference, current, term].map((c) => fmt(c).padEnd(13)).join(' ')}`;
  if (report.kind === 'categorical') {
    const categories = report.categories as {
      category: string | null;
      reference_count: number;
      current_count: number;
      psi_contribution: number;
    }[];
    return [
      header,
      ...categories.map((c) =>
        row(c.category ?? '(unseen)', c.reference_count, c.current_count, c.psi_contribution),
      ),
    ];
  }
  const bins = report.bins as {
    edges: number[];
    reference_counts: number[];
    current_counts: number[];
    psi_contributions: number[];
  };
  return [
    header,
    ...bins.reference_counts.map((reference, i) => {
      const lower = i === 0 ? '-inf' : fmt(bins.edges[i - 1]);
      const upper = i === bins.edges.length ? '+inf' : fmt(bins.edges[i]);
      const label = `[${lower}, ${upper})`;
      return row(label, reference, bins.current_counts[i], bins.psi_contributions[i]);
    }),
  ];
}
