import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  alertThresholds,
  dashboard,
  labelVariable,
  layout,
  stat,
  timeseries,
  windowVariable,
} from './panels.js';

/** DLQ and schemas: how much fails, why, and whether the producers still speak the schema. */
export function dlqDashboard(): DashboardBuilder {
  const d = dashboard(
    'pipewatch-dlq-schemas',
    'pipewatch / DLQ and schemas',
    'DLQ ratio per source topic against the 0.1 % alert line, DLQ records by error type, schema violations by kind and registry lookup failures.',
  )
    .withVariable(labelVariable('pipeline', 'pipeline', 'pipewatch_dlq_records_total'))
    .withVariable(labelVariable('topic', 'topic', 'pipewatch_topic_records_total'))
    .withVariable(windowVariable());
  const panels = layout([
    {
      w: 16,
      h: 8,
      builder: timeseries({
        title: 'DLQ ratio per source topic',
        description:
          'DLQ records ÷ source records over the sliding window. The red line is the DLQRatioHigh alert threshold (0.1 %). An idle source has no ratio: see the freshness dashboard.',
        unit: 'percentunit',
        threshold: alertThresholds.dlqRatio,
        queries: [
          {
            expr: 'max by (pipeline, source_topic) (pipewatch_dlq_ratio{pipeline=~"$pipeline", window="$window"})',
            legend: '{{pipeline}} {{source_topic}}',
          },
        ],
      }),
    },
    {
      w: 8,
      h: 8,
      builder: stat({
        title: 'Worst DLQ ratio',
        description: 'The highest DLQ ratio of any source topic over the window.',
        unit: 'percentunit',
        threshold: alertThresholds.dlqRatio,
        queries: [
          {
            expr: 'max(pipewatch_dlq_ratio{pipeline=~"$pipeline", window="$window"})',
            legend: 'worst',
          },
        ],
      }),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'DLQ records by error type',
        description:
          'Records per second arriving on the DLQ topics, by source topic and error type.',
        unit: 'reqps',
        queries: [
          {
            expr: 'sum by (source_topic, error_type) (rate(pipewatch_dlq_records_total{pipeline=~"$pipeline"}[$__rate_interval]))',
            legend: '{{source_topic}} {{error_type}}',
          },
        ],
      }),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Schema violations by kind',
        description:
          'Records on the watched topics that do not decode as their registered schema, per second, by topic and kind.',
        unit: 'reqps',
        queries: [
          {
            expr: 'sum by (topic, kind) (rate(pipewatch_schema_violations_total{topic=~"$topic"}[$__rate_interval]))',
            legend: '{{topic}} {{kind}}',
          },
        ],
      }),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Schema registry lookup failures',
        description:
          'Records that could not be checked because the registry did not answer (not the producer’s fault).',
        unit: 'reqps',
        queries: [
          {
            expr: 'sum by (topic) (rate(pipewatch_schema_lookup_failures_total{topic=~"$topic"}[$__rate_interval]))',
            legend: '{{topic}}',
          },
        ],
      }),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Records read by the taps',
        description: 'Records per second read from each watched topic.',
        unit: 'reqps',
        queries: [
          {
            expr: 'sum by (topic) (rate(pipewatch_topic_records_total{topic=~"$topic"}[$__rate_interval]))',
            legend: '{{topic}}',
          },
        ],
      }),
    },
  ]);
  for (const p of panels) d.withPanel(p);
  return d;
}
