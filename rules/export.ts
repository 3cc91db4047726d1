import { stringify } from 'yaml';
import { formatDuration } from './duration.js';
import { formatMatcher, type Matcher } from './matchers.js';
import type { Rule } from './schema.js';

/**
 * pipewatch rules as a Prometheus rule file, so a Prometheus + Alertmanager setup fires the same
 * alerts. Ratios are recorded from the counters with `sum by (…)` on both sides and an explicit
 * label join (DLQ records carry `source_topic`, topic records carry `topic`: a bare division of
 * the two would silently match nothing). Each ratio alert is paired with the pipeline's
 * freshness alert and an absence alert, since 0/0 on an idle source is NaN and never fires.
 */
export interface PrometheusRuleFile {
  groups: {
    name: string;
    interval?: string;
    rules: (PrometheusRecordingRule | PrometheusAlertingRule)[];
  }[];
}

export interface PrometheusRecordingRule {
  record: string;
  expr: string;
}

export interface PrometheusAlertingRule {
  alert: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export const dlqRatioRecord = 'pipewatch:dlq_ratio:rate5m';

const recordingRules: PrometheusRecordingRule[] = [
  {
    record: 'pipewatch:dlq_records:rate5m',
    expr: 'sum by (pipeline, source_topic) (rate(pipewatch_dlq_records_total[5m]))',
  },
  {
    record: 'pipewatch:source_records:rate5m',
    expr: 'sum by (source_topic) (label_replace(rate(pipewatch_topic_records_total[5m]), "source_topic", "$1", "topic", "(.*)"))',
  },
  {
    record: dlqRatioRecord,
    expr:
      'sum by (pipeline, source_topic) (pipewatch:dlq_records:rate5m)' +
      ' / on (source_topic) group_left ' +
      'sum by (source_topic) (pipewatch:source_records:rate5m)',
  },
];

function selector(metric: string, matchers: readonly Matcher[]): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.map(formatMatcher).join(', ')}}`;
}

function num(n: number): string {
  return String(n);
}

/** PromQL of one rule; undefined when it has no threshold to compare with. */
export function ruleExpression(rule: Rule): string | undefined {
  if (rule.kind === 'absent') return `absent(${selector(rule.metric, rule.matchers)})`;
  // The board's 5 m DLQ ratio gauge is, in Prometheus, the recorded ratio of the counters.
  const isDlqRatio = isRecordedDlqRatio(rule);
  const base = (extra: readonly Matcher[]) => {
    if (isDlqRatio) {
      return selector(dlqRatioRecord, [
        ...rule.matchers.filter((m) => m.label !== 'window'),
        ...extra,
      ]);
    }
    const sel = selector(rule.metric, [...rule.matchers, ...extra]);
    return rule.kind === 'increase' ? `increase(${sel}[${formatDuration(rule.windowMs)}])` : sel;
  };
  const parts: string[] = [];
  if (rule.thresholdByLabel) {
    for (const [value, t] of Object.entries(rule.thresholdByLabel.values)) {
      parts.push(
        `${base([{ label: rule.thresholdByLabel.label, op: '=', value }])} ${rule.op} ${num(t)}`,
      );
    }
  }
  if (rule.threshold !== undefined) {
    const others = rule.thresholdByLabel
      ? Object.keys(rule.thresholdByLabel.values).map((value): Matcher => ({
          label: rule.thresholdByLabel!.label,
          op: '!=',
          value,
        }))
      : [];
    parts.push(`${base(others)} ${rule.op} ${num(rule.threshold)}`);
  }
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : parts.map((p) => `(${p})`).join(' or ');
}

/** `{{ $threshold }}` is pipewatch's; Prometheus gets the number written in. */
function exportTemplate(text: string, rule: Rule): string {
  const t = rule.threshold ?? Object.values(rule.thresholdByLabel?.values ?? {})[0];
  let out = text.replace(/\$threshold/g, t === undefined ? '0' : num(t));
  // The recorded ratio has no window label: its window is the recording rule's, 5 m.
  if (isRecordedDlqRatio(rule)) out = out.replace(/\{\{\s*\$labels\.window\s*\}\}/g, '5m');
  return out;
}

function isRecordedDlqRatio(rule: Rule): boolean {
  return (
    rule.metric === 'pipewatch_dlq_ratio' &&
    rule.matchers.some((m) => m.label === 'window' && m.op === '=' && m.value === '5m')
  );
}

function alertingRule(rule: Rule, expr: string): PrometheusAlertingRule {
  const out: PrometheusAlertingRule = {
    alert: rule.alert,
    expr,
    labels: { ...rule.labels, severity: rule.severity },
    annotations: Object.fromEntries(
      Object.entries(rule.annotations).map(([k, v]) => [k, exportTemplate(v, rule)]),
    ),
  };
  if (rule.forMs > 0) out.for = formatDuration(rule.forMs);
  if (rule.keepFiringForMs > 0) out.keep_firing_for = formatDuration(rule.keepFiringForMs);
  return out;
}

/**
 * The rule file. `pipelines` names the pipelines whose freshness absence is alerted (the
 * idle-source pair of the DLQ ratio).
 */
export function exportPrometheusRules(
  rules: readonly Rule[],
  pipelines: readonly string[],
): PrometheusRuleFile {
  const alerts: PrometheusAlertingRule[] = [];
  for (const rule of rules) {
    const expr = ruleExpression(rule);
    if (expr !== undefined) alerts.push(alertingRule(rule, expr));
  }
  if (rules.some((r) => r.metric === 'pipewatch_dlq_ratio')) {
    for (const pipeline of pipelines) {
      alerts.push({
        alert: 'PipelineFreshnessAbsent',
        expr: `absent(pipewatch_pipeline_freshness_seconds{pipeline=${JSON.stringify(pipeline)}})`,
        for: '5m',
        labels: { severity: 'warning', pipeline },
        annotations: {
          summary: `no freshness reading for pipeline ${pipeline}`,
          description: `pipewatch reports no freshness for pipeline ${pipeline}: its DLQ ratio alert cannot be trusted either (an idle or unwatched source gives 0/0).`,
        },
      });
    }
  }
  return {
    groups: [
      { name: 'pipewatch-recording', rules: recordingRules },
      { name: 'pipewatch-alerts', rules: alerts },
    ],
  };
}

/** The rule file as written by `pipewatch rules export` (and committed under dashboards/). */
export function prometheusRuleFileText(
  rules: readonly Rule[],
  pipelines: readonly string[],
): string {
  return `# Generated by \`pipewatch rules export\`; edit the pipewatch rules, not this file.\n${stringify(
    exportPrometheusRules(rules, pipelines),
    { lineWidth: 0, singleQuote: true },
  )}`;
}
