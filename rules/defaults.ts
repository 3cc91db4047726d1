import { parseRule, type Rule, type RuleInput } from './schema.js';

/** What the default rules need of a watched pipeline (structurally config's WatchedPipeline). */
export interface PipelineSpec {
  readonly name: string;
  readonly rawTopics: readonly string[];
  readonly featureTopics: readonly string[];
  readonly dlqTopics: readonly string[];
  readonly groups: readonly string[];
  readonly freshnessTargetSeconds: number;
}

/** The DLQ ratio the mission names: 0.1 %. */
export const dlqRatioThreshold = 0.001;

/**
 * The rules that are on wherever pipewatch runs (unless `rules.defaults: false`). They read the
 * board's metrics by their contract names. Pairs matter: DLQ ratio over an idle source is 0/0
 * = NaN and never fires, so PipelineStale (freshness beyond the pipeline's target) is what
 * fires when the source goes quiet; inhibition then mutes the pipeline's DLQ and drift alerts.
 */
export function defaultRuleInputs(pipelines: readonly PipelineSpec[]): RuleInput[] {
  const freshness = Object.fromEntries(pipelines.map((p) => [p.name, p.freshnessTargetSeconds]));
  const pipelineOfTopic: Record<string, string> = {};
  for (const p of pipelines) {
    for (const t of [...p.rawTopics, ...p.featureTopics, ...p.dlqTopics])
      pipelineOfTopic[t] = p.name;
  }
  const topicToPipeline = { from: 'topic', to: 'pipeline', values: pipelineOfTopic };
  return [
    {
      alert: 'DLQRatioHigh',
      metric: 'pipewatch_dlq_ratio',
      matchers: ['window="5m"'],
      op: '>',
      threshold: dlqRatioThreshold,
      for: '2m',
      severity: 'critical',
      annotations: {
        summary:
          'DLQ ratio of {{ $labels.source_topic }} is {{ $value | humanizePercentage }} (pipeline {{ $labels.pipeline }})',
        description:
          '{{ $value | humanizePercentage }} of the records of {{ $labels.source_topic }} went to the dead-letter queue over the last {{ $labels.window }}, above the {{ $threshold | humanizePercentage }} threshold for 2 minutes.',
      },
    },
    {
      alert: 'PipelineStale',
      metric: 'pipewatch_pipeline_freshness_seconds',
      op: '>',
      thresholdByLabel: { label: 'pipeline', values: freshness },
      for: '1m',
      severity: 'critical',
      annotations: {
        summary:
          'pipeline {{ $labels.pipeline }} is stale: newest data is {{ $value | humanizeDuration }} old',
        description:
          'The freshest feature record of pipeline {{ $labels.pipeline }} is {{ $value | humanizeDuration }} old, beyond its freshness target of {{ $threshold | humanizeDuration }}. An idle source also stops the DLQ ratio (0/0), so this is the alert that fires when data stops.',
      },
    },
    {
      alert: 'ConsumerGroupUnhealthy',
      metric: 'pipewatch_consumer_group_status',
      matchers: ['status=~"STOP|STALL|DATA_LOSS"'],
      op: '==',
      threshold: 1,
      for: '1m',
      severity: 'critical',
      annotations: {
        summary:
          'consumer group {{ $labels.group }} is {{ $labels.status }} (pipeline {{ $labels.pipeline }})',
        description:
          'Consumer group {{ $labels.group }} of pipeline {{ $labels.pipeline }} has status {{ $labels.status }}: STOP = not committing while lag exists, STALL = committing without progress, DATA_LOSS = committed offset below the log start.',
      },
    },
    {
      alert: 'SchemaViolations',
      metric: 'pipewatch_schema_violations_total',
      kind: 'increase',
      window: '5m',
      op: '>',
      threshold: 0,
      severity: 'warning',
      enrich: topicToPipeline,
      annotations: {
        summary: '{{ $value }} schema violations ({{ $labels.kind }}) on {{ $labels.topic }} in 5m',
        description:
          '{{ $value }} records on {{ $labels.topic }} broke the topic schema expectations ({{ $labels.kind }}) over the last 5 minutes.',
      },
    },
    {
      alert: 'FeatureDriftDetected',
      metric: 'pipewatch_feature_drift_detected',
      op: '==',
      threshold: 1,
      severity: 'warning',
      enrich: topicToPipeline,
      annotations: {
        summary:
          'feature {{ $labels.feature }} of {{ $labels.topic }} drifted ({{ $labels.window }} window)',
        description:
          'The {{ $labels.window }} window of feature {{ $labels.feature }} on {{ $labels.topic }} differs from its reference (effect size and significance both past their thresholds for consecutive windows).',
      },
    },
    {
      alert: 'CollectorErrors',
      metric: 'pipewatch_collector_errors_total',
      kind: 'increase',
      window: '5m',
      op: '>',
      threshold: 0,
      severity: 'warning',
      annotations: {
        summary: 'collector {{ $labels.collector }} failed {{ $value }} times in 5m',
        description:
          'The {{ $labels.collector }} collector reported {{ $value }} errors over the last 5 minutes: its readings may be stale or missing.',
      },
    },
    {
      alert: 'CollectorDown',
      metric: 'pipewatch_collector_up',
      op: '==',
      threshold: 0,
      for: '1m',
      severity: 'critical',
      annotations: {
        summary: 'collector {{ $labels.collector }} is down',
        description:
          'The {{ $labels.collector }} collector has reported itself unhealthy for a minute: what it measures is not being watched.',
      },
    },
  ];
}

export function defaultRules(pipelines: readonly PipelineSpec[]): Rule[] {
  return defaultRuleInputs(pipelines).map((r) => parseRule(r, 'default rule'));
}
