/**
 * Feature drift as readings on the board (the names, help and labels of the former prom-client
 * gauges, unchanged). Cardinality is bounded by the registered references: per (topic, feature)
 * and window, one series per metric, 3 bin-contribution series (ranks 1-3; the `bin` label names
 * a frozen reference bin, and a feature's whole set is replaced at each evaluation, so a rank
 * never holds more than one series), and a handful of counts. A feature's readings are one board
 * source, cleared when its reference is deleted or replaced.
 */
import type { MetricDescriptor, Reading, ReadingsBoard } from '../board.js';

const metricLabels = ['topic', 'feature', 'metric', 'window'];
const windowLabels = ['topic', 'feature', 'window'];

export const driftDescriptors = {
  value: {
    name: 'pipewatch_feature_drift',
    help: 'Drift reading of a feature over a window against its reference (psi, js_distance, ks_statistic, ...).',
    labelNames: metricLabels,
  },
  critical: {
    name: 'pipewatch_feature_drift_critical',
    help: 'Smallest reading a level-alpha test calls significant for the window and reference sizes.',
    labelNames: metricLabels,
  },
  pvalue: {
    name: 'pipewatch_feature_drift_pvalue',
    help: 'p-value of the calibrated test behind a drift reading.',
    labelNames: metricLabels,
  },
  windowValues: {
    name: 'pipewatch_feature_drift_window_values',
    help: 'Non-null valid values in the window (M).',
    labelNames: windowLabels,
  },
  referenceValues: {
    name: 'pipewatch_feature_drift_reference_values',
    help: 'Non-null values of the reference (N).',
    labelNames: ['topic', 'feature'],
  },
  detected: {
    name: 'pipewatch_feature_drift_detected',
    help: '1 when the window drifted for the configured number of consecutive windows.',
    labelNames: windowLabels,
  },
  contribution: {
    name: 'pipewatch_feature_drift_bin_contribution',
    help: 'PSI term of the bins contributing most (rank 1 = largest); `bin` is the bin range or category.',
    labelNames: [...windowLabels, 'rank', 'bin'],
  },
  timestampsClamped: {
    name: 'pipewatch_feature_drift_timestamps_clamped_total',
    help: 'Feature values whose record timestamp lay outside the allowed skew around the tap clock (direction future: counted at now; past: older than every window, not counted).',
    labelNames: ['topic', 'feature', 'direction'],
  },
} as const;

/** Declares every drift metric on the board (idempotent). */
export function describeDriftMetrics(board: ReadingsBoard): void {
  for (const d of Object.values(driftDescriptors)) {
    const type: MetricDescriptor['type'] = d.name.endsWith('_total') ? 'counter' : 'gauge';
    board.describe({ name: d.name, help: d.help, type, labelNames: d.labelNames });
  }
}

/** What the readings are made from (a subset of the runtime's feature state). */
export interface DriftReadingsInput {
  readonly topic: string;
  readonly feature: string;
  readonly windows: readonly {
    readonly evaluation: {
      readonly window: string;
      readonly referenceValues: number;
      readonly windowValues: number;
      readonly readings: readonly {
        readonly metric: string;
        readonly value: number;
        readonly critical: number | null;
        readonly pvalue: number | null;
      }[];
      readonly topBins: readonly {
        readonly rank: number;
        readonly bin: string;
        readonly contribution: number;
      }[];
    };
    readonly streak: { readonly drifting: boolean };
  }[];
  readonly clamped?: { readonly future: number; readonly past: number };
}

/** Every reading of one feature's state, evaluated at `atMs`. */
export function driftReadings(state: DriftReadingsInput, atMs: number): Reading[] {
  const { topic, feature } = state;
  const out: Reading[] = [];
  const put = (name: string, labels: Record<string, string>, value: number) =>
    out.push({ name, labels, value, atMs });
  const d = driftDescriptors;
  state.windows.forEach(({ evaluation, streak }, i) => {
    const { window } = evaluation;
    if (i === 0) put(d.referenceValues.name, { topic, feature }, evaluation.referenceValues);
    put(d.windowValues.name, { topic, feature, window }, evaluation.windowValues);
    put(d.detected.name, { topic, feature, window }, streak.drifting ? 1 : 0);
    for (const r of evaluation.readings) {
      const labels = { topic, feature, metric: r.metric, window };
      put(d.value.name, labels, r.value);
      if (r.critical !== null) put(d.critical.name, labels, r.critical);
      if (r.pvalue !== null) put(d.pvalue.name, labels, r.pvalue);
    }
    for (const b of evaluation.topBins) {
      const labels = { topic, feature, window, rank: String(b.rank), bin: b.bin };
      put(d.contribution.name, labels, b.contribution);
    }
  });
  if (state.clamped) {
    for (const direction of ['future', 'past'] as const) {
      put(d.timestampsClamped.name, { topic, feature, direction }, state.clamped[direction]);
    }
  }
  return out;
}
