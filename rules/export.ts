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

/** RE2 (Prometheus' regexes) matching exactly `value`. */
function literalRegex(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * A rule's `enrich` (label `to` from label `from`'s value, e.g. a topic's pipeline) as
 * Prometheus does it: one `label_replace` per target value, matching exactly the source values
 * that map to it. A series whose `from` value is not in the map keeps its labels, as in
 * pipewatch's engine; a mapped one gets `to` set (over any value it had), as the engine does.
 * The map is the one pipewatch's own rule carries (built from the config at export time), so
 * the exported alert has the same labels, and Alertmanager's inhibition by `pipeline` matches.
 */
export function enrichExpression(expr: string, enrich: NonNullable<Rule['enrich']>): string {
  const byTarget = new Map<string, string[]>();
  for (const [from, to] of Object.entries(enrich.values)) {
    const list = byTarget.get(to);
    if (list) list.push(from);
    else byTarget.set(to, [from]);
  }
  let out = expr;
  for (const [to, froms] of [...byTarget].sort(([a], [b]) => a.localeCompare(b))) {
    const regex = froms.sort().map(literalRegex).join('|');
    // `$` in a replacement starts a group reference: `$$` is a literal one.
    const replacement = to.replace(/\$/g, '$$$$');
    out = `label_replace(${out}, ${JSON.stringify(enrich.to)}, ${JSON.stringify(replacement)}, ${JSON.stringify(enrich.from)}, ${JSON.stringify(regex)})`;
  }
  return out;
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
    if (expr === undefined) continue;
    const enriched =
      rule.enrich && Object.keys(rule.enrich.values).length > 0
        ? enrichExpression(expr, rule.enrich)
        : expr;
    alerts.push(alertingRule(rule, enriched));
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
