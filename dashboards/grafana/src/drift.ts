import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  dashboard,
  labelVariable,
  layout,
  stat,
  table,
  timeseries,
  windowVariable,
} from './panels.js';

const sel = 'topic=~"$topic", feature=~"$feature", window="$window"';

function metricPanel(metric: string, title: string, description: string) {
  return timeseries({
    title,
    description,
    unit: 'none',
    queries: [
      {
        expr: `pipewatch_feature_drift{${sel}, metric="${metric}"}`,
        legend: '{{feature}}',
      },
      {
        expr: `pipewatch_feature_drift_critical{${sel}, metric="${metric}"}`,
        legend: '{{feature}} critical',
      },
    ],
  });
}

/** Feature drift: which features drift, by how much, against which calibrated critical value. */
export function driftDashboard(): DashboardBuilder {
  const d = dashboard(
    'pipewatch-drift',
    'pipewatch / Feature drift',
    'PSI, Jensen–Shannon distance and KS statistic per feature and window against their sample-size-aware critical values, the drifting-features count, the bins that contribute most and the window sizes.',
  )
    .withVariable(labelVariable('topic', 'topic', 'pipewatch_feature_drift'))
    .withVariable(
      labelVariable('feature', 'feature', 'pipewatch_feature_drift', '{topic=~"$topic"}'),
    )
    .withVariable(windowVariable());
  const panels = layout([
    {
      w: 6,
      h: 8,
      builder: stat({
        title: 'Drifting features',
        description:
          'Features whose window drifted for the configured number of consecutive windows.',
        unit: 'short',
        threshold: 1,
        queries: [
          {
            expr: `count(pipewatch_feature_drift_detected{topic=~"$topic", window="$window"} == 1) or vector(0)`,
            legend: 'drifting',
          },
        ],
      }),
    },
    {
      w: 18,
      h: 8,
      builder: table({
        title: 'Top contributing bins',
        description:
          'The reference bins (or categories) whose PSI terms are largest, rank 1 first.',
        queries: [
          {
            expr: `pipewatch_feature_drift_bin_contribution{${sel}}`,
            legend: '{{feature}} #{{rank}} {{bin}}',
          },
        ],
      }),
    },
    {
      w: 8,
      h: 8,
      builder: metricPanel(
        'psi',
        'PSI vs critical',
        'Population stability index; the dashed series is the level-α critical value for these window and reference sizes.',
      ),
    },
    {
      w: 8,
      h: 8,
      builder: metricPanel(
        'js_distance',
        'Jensen–Shannon distance vs critical',
        'JS distance (natural log) against its G-test critical value.',
      ),
    },
    {
      w: 8,
      h: 8,
      builder: metricPanel(
        'ks_statistic',
        'KS statistic vs critical',
        'Two-sample KS D (numeric features) against its critical value.',
      ),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Null, unseen and out-of-range mass',
        description:
          'Data-quality drift signals: null rate, unseen categories and values outside the reference range.',
        unit: 'percentunit',
        queries: [
          {
            expr: `pipewatch_feature_drift{${sel}, metric=~"null_rate|unseen_ratio|out_of_range_ratio"}`,
            legend: '{{feature}} {{metric}}',
          },
        ],
      }),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Window sizes',
        description:
          'Values in each window (M) and in the reference (N): critical values shrink as they grow.',
        unit: 'short',
        queries: [
          {
            expr: `pipewatch_feature_drift_window_values{${sel}}`,
            legend: '{{feature}} window',
          },
          {
            expr: 'pipewatch_feature_drift_reference_values{topic=~"$topic", feature=~"$feature"}',
            legend: '{{feature}} reference',
          },
        ],
      }),
    },
  ]);
  for (const p of panels) d.withPanel(p);
  return d;
}
