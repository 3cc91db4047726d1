import { z } from 'zod';
import { PipewatchError } from '../common/index.js';
import { parseDurationMs } from './duration.js';
import { parseMatcher, type Matcher } from './matchers.js';
import { checkTemplate } from './template.js';

/**
 * The rule format (YAML files under `rules.files`, the API's PUT body). Keys follow Prometheus'
 * alerting rules where they exist (`alert`, `for`, `keep_firing_for`, `labels`, `annotations`),
 * so a rule reads the same in both places; what Prometheus spells as PromQL is spelled out:
 *
 *   alert: DLQRatioHigh            # alert name, [a-zA-Z_][a-zA-Z0-9_]*
 *   metric: pipewatch_dlq_ratio    # the reading (board metric) it selects
 *   matchers: ['window="5m"']      # PromQL matchers =, !=, =~, !~ (or {label, op, value})
 *   kind: gauge                    # gauge (the value itself) | increase (a counter's increase
 *                                  # over `window`) | absent (fires when no series matches)
 *   window: 5m                     # increase only: the look-back window
 *   op: '>'                        # > >= < <= == !=
 *   threshold: 0.001
 *   thresholdByLabel: {label: pipeline, values: {transactions: 60}}  # per-series thresholds
 *   enrich: {from: topic, to: pipeline, values: {features.transactions: transactions}}
 *   for: 2m                        # pending time before firing. Default 0
 *   keep_firing_for: 0             # firing time kept after the condition clears. Default 0
 *   severity: warning              # critical | warning | info. Default warning
 *   labels: {team: data}           # added to every alert of the rule
 *   annotations: {summary, description, runbook_url}   # templates: {{ $value }}, {{ $labels.x }}
 */
export type RuleKind = 'gauge' | 'increase' | 'absent';
export type CompareOp = '>' | '>=' | '<' | '<=' | '==' | '!=';
export type Severity = 'critical' | 'warning' | 'info';

export interface Rule {
  readonly alert: string;
  readonly metric: string;
  readonly matchers: readonly Matcher[];
  readonly kind: RuleKind;
  /** increase only: look-back window of the counter, ms. */
  readonly windowMs: number;
  readonly op: CompareOp;
  /** Compared with every series; undefined when only thresholdByLabel applies. */
  readonly threshold: number | undefined;
  /** Per-series thresholds by one label's value (a pipeline's freshness target); wins over threshold. */
  readonly thresholdByLabel?: {
    readonly label: string;
    readonly values: Readonly<Record<string, number>>;
  };
  /** Adds label `to` from label `from`'s value (a topic's pipeline), so inhibition can match it. */
  readonly enrich?: {
    readonly from: string;
    readonly to: string;
    readonly values: Readonly<Record<string, string>>;
  };
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly severity: Severity;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name');
const duration = z.union([
  z
    .string()
    .refine((s) => parseDurationMs(s) !== undefined, 'expected a duration such as 30s, 2m, 1h'),
  z.number().nonnegative().describe('seconds'),
]);
const matcherInput = z.union([
  z.string().refine((s) => parseMatcher(s) !== undefined, {
    message: 'expected a matcher such as label="value" (operators =, !=, =~, !~)',
  }),
  z.object({ label: labelName, op: z.enum(['=', '!=', '=~', '!~']), value: z.string() }).strict(),
]);
const template = z.string().superRefine((s, ctx) => {
  const problem = checkTemplate(s);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

export const ruleInputSchema = z
  .object({
    alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected [a-zA-Z_][a-zA-Z0-9_]*'),
    metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'expected a metric name'),
    matchers: z.array(matcherInput).default([]),
    kind: z.enum(['gauge', 'increase', 'absent']).default('gauge'),
    window: duration.optional(),
    op: z.enum(['>', '>=', '<', '<=', '==', '!=']).default('>'),
    threshold: z.number().finite().optional(),
    thresholdByLabel: z
      .object({ label: labelName, values: z.record(z.string(), z.number().finite()) })
      .strict()
      .optional(),
    enrich: z
      .object({ from: labelName, to: labelName, values: z.record(z.string(), z.string()) })
      .strict()
      .optional(),
    for: duration.default(0),
    keep_firing_for: duration.default(0),
    severity: z.enum(['critical', 'warning', 'info']).default('warning'),
    labels: z.record(labelName, z.string()).default({}),
    annotations: z
      .object({
        summary: template.optional(),
        description: template.optional(),
        runbook_url: z.string().url().optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kind === 'increase' && r.window === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['window'],
        message: 'an increase rule needs a window (e.g. 5m)',
      });
    }
    if (r.kind !== 'absent' && r.threshold === undefined && r.thresholdByLabel === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['threshold'],
        message: 'required (or thresholdByLabel)',
      });
    }
    for (const reserved of ['alertname', 'severity']) {
      if (r.labels[reserved] !== undefined) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['labels', reserved],
          message: `${reserved} is set by the rule itself`,
        });
      }
    }
  });

export type RuleInput = z.input<typeof ruleInputSchema>;

const toMs = (d: string | number | undefined): number =>
  d === undefined ? 0 : typeof d === 'number' ? d * 1000 : parseDurationMs(d)!;

/** Validates one rule; a problem is a RULE_INVALID error naming the rule and the field. */
export function parseRule(raw: unknown, where = 'rule'): Rule {
  const parsed = ruleInputSchema.safeParse(raw);
  const name =
    typeof (raw as { alert?: unknown } | null)?.alert === 'string'
      ? (raw as { alert: string }).alert
      : undefined;
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(rule)';
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
    const keys = unknown ? ` ${unknown}` : '';
    throw new PipewatchError(
      'RULE_INVALID',
      `${where}${name ? ` ${name}` : ''}: field ${field}${keys}: ${issue.message}`,
      { rule: name ?? null, field: unknown || field, where },
    );
  }
  const r = parsed.data;
  return {
    alert: r.alert,
    metric: r.metric,
    matchers: r.matchers.map((m) => (typeof m === 'string' ? parseMatcher(m)! : m)),
    kind: r.kind,
    windowMs: toMs(r.window),
    op: r.op,
    threshold: r.threshold,
    ...(r.thresholdByLabel ? { thresholdByLabel: r.thresholdByLabel } : {}),
    ...(r.enrich ? { enrich: r.enrich } : {}),
    forMs: toMs(r.for),
    keepFiringForMs: toMs(r.keep_firing_for),
    severity: r.severity,
    labels: r.labels,
    annotations: Object.fromEntries(
      Object.entries(r.annotations).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  };
}

/**
 * Validates a rule file's content (`{rules: [...]}` or `{groups: [{rules: [...]}]}`): every
 * rule, and that alert names are unique. `source` (a file name) prefixes every error.
 */
export function parseRuleFile(content: unknown, source: string): Rule[] {
  const list = ruleList(content, source);
  const rules = list.map((raw, i) => parseRule(raw, `${source}: rules[${i}]`));
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.alert)) {
      throw new PipewatchError(
        'RULE_INVALID',
        `${source}: rule ${r.alert}: field alert: duplicate alert name`,
        {
          rule: r.alert,
          field: 'alert',
          where: source,
        },
      );
    }
    seen.add(r.alert);
  }
  return rules;
}

function ruleList(content: unknown, source: string): unknown[] {
  const c = content as { rules?: unknown; groups?: unknown } | null;
  if (c && Array.isArray(c.rules)) return c.rules as unknown[];
  if (c && Array.isArray(c.groups)) {
    return (c.groups as { rules?: unknown }[]).flatMap((g) =>
      Array.isArray(g?.rules) ? (g.rules as unknown[]) : [],
    );
  }
  throw new PipewatchError('RULE_INVALID', `${source}: field rules: expected a list of rules`, {
    rule: null,
    field: 'rules',
    where: source,
  });
}
