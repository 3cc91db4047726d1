import { fingerprint } from './fingerprint.js';
import { compileMatcher, matchesAll, type CompiledMatcher, type LabelSet } from './matchers.js';
import type { CompareOp, Rule } from './schema.js';
import { stepAlerts, type ActiveSample, type AlertState, type Transition } from './state.js';
import { renderTemplate } from './template.js';

/** A reading as the rules see it (structurally the board's Reading). */
export interface RuleReading {
  readonly name: string;
  readonly labels: LabelSet;
  readonly value: number;
  readonly atMs: number;
}

export interface EvaluationResult {
  readonly transitions: Transition[];
  /** Every alert the engine holds after this evaluation (pending, firing, recently resolved). */
  readonly alerts: AlertState[];
}

interface CompiledRule {
  readonly rule: Rule;
  readonly matchers: readonly CompiledMatcher[];
}

/** Resolved alerts stay visible in GET /api/v1/alerts this long (Prometheus keeps 15 m). */
const defaultResolvedRetentionMs = 15 * 60_000;
/**
 * A reading older than this is treated as absent (Prometheus' 5 m lookback): a runtime that
 * died leaves its last readings on the board, and they must not keep an alert firing.
 */
const defaultMaxReadingAgeMs = 5 * 60_000;

/**
 * Evaluates rules over readings and runs the alert state machine of every alert. Pure: readings
 * and `nowMs` in, transitions out; the caller persists `alerts()` and delivers the transitions.
 * Counter rules (`kind: increase`) need history, which the engine keeps per series in memory.
 */
export class RuleEngine {
  private compiled: CompiledRule[] = [];
  private readonly states = new Map<string, Map<string, AlertState>>();
  private readonly counters = new CounterHistory();

  constructor(
    rules: readonly Rule[],
    restored: readonly AlertState[] = [],
    private readonly resolvedRetentionMs = defaultResolvedRetentionMs,
    private readonly maxReadingAgeMs = defaultMaxReadingAgeMs,
  ) {
    this.setRules(rules);
    for (const alert of restored) {
      let byRule = this.states.get(alert.rule);
      if (!byRule) this.states.set(alert.rule, (byRule = new Map<string, AlertState>()));
      byRule.set(alert.fingerprint, alert);
    }
  }

  /** Replaces the rule set; alerts of removed rules resolve at the next evaluation. */
  setRules(rules: readonly Rule[]): void {
    this.compiled = rules.map((rule) => ({ rule, matchers: rule.matchers.map(compileMatcher) }));
  }

  rules(): Rule[] {
    return this.compiled.map((c) => c.rule);
  }

  alerts(): AlertState[] {
    return [...this.states.values()].flatMap((m) => [...m.values()]);
  }

  evaluate(readings: readonly RuleReading[], nowMs: number): EvaluationResult {
    const byName = new Map<string, RuleReading[]>();
    for (const r of readings) {
      if (r.atMs < nowMs - this.maxReadingAgeMs) continue;
      let list = byName.get(r.name);
      if (!list) byName.set(r.name, (list = []));
      list.push(r);
    }
    this.counters.record(this.counterMetrics(), byName, nowMs);
    const transitions: Transition[] = [];
    const live = new Set<string>();
    for (const c of this.compiled) {
      live.add(c.rule.alert);
      const previous = this.states.get(c.rule.alert) ?? new Map<string, AlertState>();
      const active = this.activeSamples(c, byName.get(c.rule.metric) ?? [], nowMs);
      if (c.rule.kind === 'increase' && !this.counters.knowsWindow(c.rule.windowMs, nowMs)) {
        // Counter history is in memory: after a restart, an increase rule cannot tell "no
        // increase" from "not seen for a whole window yet", so restored firing alerts hold.
        const seen = new Set(active.map((a) => a.fingerprint));
        for (const a of previous.values()) {
          if (a.status === 'firing' && !seen.has(a.fingerprint)) active.push({ ...a });
        }
      }
      const step = stepAlerts(
        previous,
        active,
        {
          forMs: c.rule.forMs,
          keepFiringForMs: c.rule.keepFiringForMs,
          resolvedRetentionMs: this.resolvedRetentionMs,
        },
        nowMs,
      );
      this.states.set(c.rule.alert, step.states);
      transitions.push(...step.transitions);
    }
    for (const [name, byFp] of this.states) {
      if (live.has(name)) continue;
      // A deleted rule: its firing alerts resolve (once), nothing else is kept.
      const step = stepAlerts(
        byFp,
        [],
        { forMs: 0, keepFiringForMs: 0, resolvedRetentionMs: 0 },
        nowMs,
      );
      transitions.push(...step.transitions);
      this.states.delete(name);
    }
    return { transitions, alerts: this.alerts() };
  }

  private counterMetrics(): Map<string, number> {
    const windows = new Map<string, number>();
    for (const { rule } of this.compiled) {
      if (rule.kind !== 'increase') continue;
      windows.set(rule.metric, Math.max(windows.get(rule.metric) ?? 0, rule.windowMs));
    }
    return windows;
  }

  private activeSamples(c: CompiledRule, readings: RuleReading[], nowMs: number): ActiveSample[] {
    const { rule } = c;
    const out: ActiveSample[] = [];
    if (rule.kind === 'absent') {
      if (readings.some((r) => matchesAll(c.matchers, r.labels))) return out;
      // As PromQL's absent(): the labels of the equality matchers.
      const labels: Record<string, string> = {};
      for (const m of rule.matchers) if (m.op === '=') labels[m.label] = m.value;
      out.push(this.sample(rule, labels, 1, undefined));
      return out;
    }
    for (const r of readings) {
      if (!matchesAll(c.matchers, r.labels)) continue;
      const threshold = thresholdFor(rule, r.labels);
      if (threshold === undefined) continue;
      const value =
        rule.kind === 'increase' ? this.counters.increase(r, rule.windowMs, nowMs) : r.value;
      if (compare(rule.op, value, threshold))
        out.push(this.sample(rule, r.labels, value, threshold));
    }
    return out;
  }

  private sample(
    rule: Rule,
    seriesLabels: LabelSet,
    value: number,
    threshold: number | undefined,
  ): ActiveSample {
    const labels: Record<string, string> = { ...seriesLabels, ...rule.labels };
    if (rule.enrich) {
      const mapped = rule.enrich.values[seriesLabels[rule.enrich.from] ?? ''];
      if (mapped !== undefined) labels[rule.enrich.to] = mapped;
    }
    labels.alertname = rule.alert;
    labels.severity = rule.severity;
    const annotations: Record<string, string> = {};
    for (const [k, t] of Object.entries(rule.annotations)) {
      annotations[k] = renderTemplate(t, { value, threshold, labels });
    }
    return {
      fingerprint: fingerprint(labels),
      rule: rule.alert,
      severity: rule.severity,
      labels,
      annotations,
      value,
      threshold,
    };
  }
}

function thresholdFor(rule: Rule, labels: LabelSet): number | undefined {
  if (rule.thresholdByLabel) {
    const v = rule.thresholdByLabel.values[labels[rule.thresholdByLabel.label] ?? ''];
    if (v !== undefined) return v;
  }
  return rule.threshold;
}

/** NaN (0/0 on an idle source) compares false with everything, as in PromQL. */
export function compare(op: CompareOp, value: number, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return !Number.isNaN(value) && value !== threshold;
  }
}

function seriesKey(r: RuleReading): string {
  return `${r.name}{${Object.keys(r.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(r.labels[k])}`)
    .join(',')}}`;
}

/**
 * Samples of counters, per series, for `increase` rules. Increase over a window = the sum of
 * the rises between consecutive samples from the last sample at or before the window's start,
 * a drop counted as a counter reset (as Prometheus' increase(), without its extrapolation).
 * A series first seen after the engine started counts from 0: a counter that is born while we
 * watch (the first schema violation creates the series) did rise from nothing.
 */
class CounterHistory {
  private readonly samples = new Map<string, { atMs: number; value: number }[]>();
  private startedAtMs: number | undefined;
  private lastRecordAtMs: number | undefined;

  record(windows: Map<string, number>, byName: Map<string, RuleReading[]>, nowMs: number): void {
    this.startedAtMs ??= nowMs;
    const seen = new Set<string>();
    for (const [metric, windowMs] of windows) {
      for (const r of byName.get(metric) ?? []) {
        const key = seriesKey(r);
        seen.add(key);
        let list = this.samples.get(key);
        if (!list) {
          list = [];
          if (this.lastRecordAtMs !== undefined && nowMs > this.startedAtMs) {
            list.push({ atMs: this.lastRecordAtMs, value: 0 });
          }
          this.samples.set(key, list);
        }
        list.push({ atMs: nowMs, value: r.value });
        // Keep one sample at or before the window start as the baseline.
        while (list.length > 2 && list[1]!.atMs <= nowMs - windowMs) list.shift();
      }
    }
    for (const key of this.samples.keys()) if (!seen.has(key)) this.samples.delete(key);
    this.lastRecordAtMs = nowMs;
  }

  /** True once the history covers a whole window (the engine has watched that long). */
  knowsWindow(windowMs: number, nowMs: number): boolean {
    return this.startedAtMs !== undefined && nowMs - this.startedAtMs >= windowMs;
  }

  increase(r: RuleReading, windowMs: number, nowMs: number): number {
    const list = this.samples.get(seriesKey(r)) ?? [];
    let start = 0;
    while (start + 1 < list.length && list[start + 1]!.atMs <= nowMs - windowMs) start++;
    let total = 0;
    for (let i = start + 1; i < list.length; i++) {
      const d = list[i]!.value - list[i - 1]!.value;
      total += d >= 0 ? d : list[i]!.value;
    }
    return total;
  }
}
