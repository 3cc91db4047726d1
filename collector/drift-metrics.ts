/**
 * Prometheus series of feature drift. Cardinality is bounded by the registered references:
 * per (topic, feature) and window, one series per metric, 3 bin-contribution series (ranks 1-3;
 * the `bin` label names a frozen reference bin, and the previous series of a rank is removed
 * before the new one is set, so a rank never holds more than one series), and a handful of
 * counts. Every series of a feature is removed when its reference is deleted or replaced.
 */
import { Gauge, type Registry } from 'prom-client';

/** What the gauges are set from (a subset of the monitor's feature state). */
export interface DriftGaugeInput {
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
}

export interface DriftGauges {
  set(state: DriftGaugeInput): void;
  remove(topic: string, feature: string): void;
}

type Labels = Record<string, string>;

export function driftGauges(registry: Registry): DriftGauges {
  const gauge = (name: string, help: string, labelNames: string[]) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const metricLabels = ['topic', 'feature', 'metric', 'window'];
  const windowLabels = ['topic', 'feature', 'window'];
  const value = gauge(
    'pipewatch_feature_drift',
    'Drift reading of a feature over a window against its reference (psi, js_distance, ks_statistic, ...).',
    metricLabels,
  );
  const critical = gauge(
    'pipewatch_feature_drift_critical',
    'Smallest reading a level-alpha test calls significant for the window and reference sizes.',
    metricLabels,
  );
  const pvalue = gauge(
    'pipewatch_feature_drift_pvalue',
    'p-value of the calibrated test behind a drift reading.',
    metricLabels,
  );
  const windowValues = gauge(
    'pipewatch_feature_drift_window_values',
    'Non-null valid values in the window (M).',
    windowLabels,
  );
  const referenceValues = gauge(
    'pipewatch_feature_drift_reference_values',
    'Non-null values of the reference (N).',
    ['topic', 'feature'],
  );
  const detected = gauge(
    'pipewatch_feature_drift_detected',
    '1 when the window drifted for the configured number of consecutive windows.',
    windowLabels,
  );
  const contribution = gauge(
    'pipewatch_feature_drift_bin_contribution',
    'PSI term of the bins contributing most (rank 1 = largest); `bin` is the bin range or category.',
    [...windowLabels, 'rank', 'bin'],
  );
  const emitted = new Map<string, [Gauge, Labels][]>();
  const keyOf = (topic: string, feature: string) => JSON.stringify([topic, feature]);

  function remove(topic: string, feature: string): void {
    const key = keyOf(topic, feature);
    for (const [g, labels] of emitted.get(key) ?? []) g.remove(labels);
    emitted.delete(key);
  }

  function set(state: DriftGaugeInput): void {
    const { topic, feature } = state;
    remove(topic, feature);
    const series: [Gauge, Labels][] = [];
    const put = (g: Gauge, labels: Labels, v: number) => {
      g.set(labels, v);
      series.push([g, labels]);
    };
    for (const { evaluation, streak } of state.windows) {
      const { window } = evaluation;
      if (state.windows[0]?.evaluation === evaluation) {
        put(referenceValues, { topic, feature }, evaluation.referenceValues);
      }
      put(windowValues, { topic, feature, window }, evaluation.windowValues);
      put(detected, { topic, feature, window }, streak.drifting ? 1 : 0);
      for (const r of evaluation.readings) {
        const labels = { topic, feature, metric: r.metric, window };
        put(value, labels, r.value);
        if (r.critical !== null) put(critical, labels, r.critical);
        if (r.pvalue !== null) put(pvalue, labels, r.pvalue);
      }
      for (const b of evaluation.topBins) {
        put(
          contribution,
          { topic, feature, window, rank: String(b.rank), bin: b.bin },
          b.contribution,
        );
      }
    }
    emitted.set(keyOf(topic, feature), series);
  }

  return { set, remove };
}
