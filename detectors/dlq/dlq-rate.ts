/**
 * DLQ rate of one pipeline: DLQ records ÷ source records over sliding windows, per source topic
 * and per (source topic, error type). Pure: records and `now` in, numbers out.
 *
 * - Numerator and denominator are keyed the same way (record timestamp clamped to the skew,
 *   see sliding-counts.ts), so a backlog replayed through both topics keeps its ratio.
 * - An idle source (no source record in the window) has no ratio: absent, never 0 or NaN, so
 *   a rule cannot read "no traffic" as "healthy"; pair it with a freshness rule.
 * - A DLQ record whose source is not a watched source topic (no header, or a topic the pipeline
 *   does not list) is counted in the totals under its label but has no denominator.
 */
import { windowLabel } from '../drift/evaluate-snapshot.js';
import {
  checkCountWindowSpecs,
  clampToSkew,
  SlidingCounts,
  type CountWindowSpec,
  type SlotPairs,
} from './sliding-counts.js';

export interface DlqRateOptions {
  /** Source topics of the pipeline: the only ones with a denominator. */
  readonly sourceTopics: readonly string[];
  readonly windows: readonly CountWindowSpec[];
  /** Record timestamps further than this behind `now` count at `now − maxSkewMs`. */
  readonly maxSkewMs: number;
}

export interface DlqRatio {
  readonly sourceTopic: string;
  /** `5m`, `1h`, ... */
  readonly window: string;
  readonly windowSeconds: number;
  readonly dlqRecords: number;
  readonly sourceRecords: number;
  /** dlqRecords / sourceRecords; present only when sourceRecords > 0. */
  readonly ratio: number;
}

export interface DlqRatioByErrorType extends DlqRatio {
  readonly errorType: string;
}

export interface DlqTotal {
  readonly sourceTopic: string;
  readonly errorType: string;
  /** DLQ records since the state began (restored across restarts). */
  readonly records: number;
}

export interface DlqRateEvaluation {
  readonly atMs: number;
  readonly ratios: readonly DlqRatio[];
  readonly byErrorType: readonly DlqRatioByErrorType[];
  readonly totals: readonly DlqTotal[];
  /** Source records since the state began, per source topic. */
  readonly sourceTotals: Readonly<Record<string, number>>;
}

/** The JSON form of a detector's state (what the store keeps). */
export interface DlqRateState {
  readonly format: 1;
  readonly windows: readonly CountWindowSpec[];
  readonly sources: Readonly<Record<string, readonly SlotPairs[]>>;
  readonly dlq: Readonly<Record<string, Readonly<Record<string, readonly SlotPairs[]>>>>;
  readonly sourceTotals: Readonly<Record<string, number>>;
  readonly totals: readonly (readonly [string, string, number])[];
}

export class DlqRateDetector {
  private readonly sources = new Map<string, SlidingCounts>();
  private readonly dlq = new Map<string, Map<string, SlidingCounts>>();
  private readonly sourceTotals = new Map<string, number>();
  private readonly totals = new Map<string, Map<string, number>>();
  private readonly windows: readonly CountWindowSpec[];

  constructor(private readonly options: DlqRateOptions) {
    checkCountWindowSpecs(options.windows);
    if (!(options.maxSkewMs >= 0)) throw new RangeError('maxSkewMs must be >= 0');
    this.windows = options.windows.map((w) => ({ ...w }));
    for (const topic of options.sourceTopics) {
      this.sources.set(topic, new SlidingCounts(this.windows));
      this.sourceTotals.set(topic, 0);
    }
  }

  /** Is `topic` one of the pipeline's source topics? */
  isSourceTopic(topic: string): boolean {
    return this.sources.has(topic);
  }

  /** One (or `n`) record(s) read from source topic `topic`; other topics are ignored. */
  recordSource(topic: string, timestampMs: number, nowMs: number, n = 1): void {
    const counts = this.sources.get(topic);
    if (!counts) return;
    counts.add(clampToSkew(timestampMs, nowMs, this.options.maxSkewMs), n);
    this.sourceTotals.set(topic, (this.sourceTotals.get(topic) ?? 0) + n);
  }

  /** One DLQ record attributed to `sourceTopic` (a label: a source topic, `unknown`, ...). */
  recordDlq(sourceTopic: string, errorType: string, timestampMs: number, nowMs: number): void {
    let byType = this.dlq.get(sourceTopic);
    if (!byType) this.dlq.set(sourceTopic, (byType = new Map<string, SlidingCounts>()));
    let counts = byType.get(errorType);
    if (!counts) byType.set(errorType, (counts = new SlidingCounts(this.windows)));
    counts.add(clampToSkew(timestampMs, nowMs, this.options.maxSkewMs));
    let totals = this.totals.get(sourceTopic);
    if (!totals) this.totals.set(sourceTopic, (totals = new Map<string, number>()));
    totals.set(errorType, (totals.get(errorType) ?? 0) + 1);
  }

  evaluate(nowMs: number): DlqRateEvaluation {
    const ratios: DlqRatio[] = [];
    const byErrorType: DlqRatioByErrorType[] = [];
    for (const [topic, sourceCounts] of this.sources) {
      const byType = this.dlq.get(topic);
      this.windows.forEach((spec, w) => {
        const sourceRecords = sourceCounts.sum(w, nowMs);
        if (sourceRecords <= 0) return; // idle source: no ratio at all
        const window = windowLabel(spec.windowSeconds);
        let dlqRecords = 0;
        for (const [errorType, counts] of byType ?? []) {
          const n = counts.sum(w, nowMs);
          dlqRecords += n;
          byErrorType.push({
            sourceTopic: topic,
            errorType,
            window,
            windowSeconds: spec.windowSeconds,
            dlqRecords: n,
            sourceRecords,
            ratio: n / sourceRecords,
          });
        }
        ratios.push({
          sourceTopic: topic,
          window,
          windowSeconds: spec.windowSeconds,
          dlqRecords,
          sourceRecords,
          ratio: dlqRecords / sourceRecords,
        });
      });
    }
    const totals: DlqTotal[] = [];
    for (const [sourceTopic, byType] of this.totals) {
      for (const [errorType, records] of byType) totals.push({ sourceTopic, errorType, records });
    }
    return {
      atMs: nowMs,
      ratios,
      byErrorType,
      totals,
      sourceTotals: Object.fromEntries(this.sourceTotals),
    };
  }

  toState(): DlqRateState {
    const dlq: Record<string, Record<string, SlotPairs[]>> = {};
    for (const [topic, byType] of this.dlq) {
      dlq[topic] = Object.fromEntries([...byType].map(([t, c]) => [t, c.toPairs()]));
    }
    const totals: [string, string, number][] = [];
    for (const [topic, byType] of this.totals) {
      for (const [type, n] of byType) totals.push([topic, type, n]);
    }
    return {
      format: 1,
      windows: this.windows,
      sources: Object.fromEntries([...this.sources].map(([t, c]) => [t, c.toPairs()])),
      dlq,
      sourceTotals: Object.fromEntries(this.sourceTotals),
      totals,
    };
  }

  /**
   * Adds a saved state's counts (restart). Windows are matched by spec: a window whose spec
   * changed starts empty; source topics no longer listed are dropped. Returns false (and adds
   * nothing) for a state it cannot read.
   */
  restore(state: unknown): boolean {
    if (!isState(state)) return false;
    const map = this.windows.map((spec) =>
      state.windows.findIndex(
        (s) =>
          s.windowSeconds === spec.windowSeconds && s.subWindowSeconds === spec.subWindowSeconds,
      ),
    );
    const pick = (saved: readonly SlotPairs[]) => map.map((i) => (i >= 0 ? (saved[i] ?? []) : []));
    for (const [topic, saved] of Object.entries(state.sources)) {
      this.sources.get(topic)?.addPairs(pick(saved));
    }
    for (const [topic, byType] of Object.entries(state.dlq)) {
      for (const [type, saved] of Object.entries(byType)) {
        let m = this.dlq.get(topic);
        if (!m) this.dlq.set(topic, (m = new Map<string, SlidingCounts>()));
        let counts = m.get(type);
        if (!counts) m.set(type, (counts = new SlidingCounts(this.windows)));
        counts.addPairs(pick(saved));
      }
    }
    for (const [topic, n] of Object.entries(state.sourceTotals)) {
      if (this.sourceTotals.has(topic))
        this.sourceTotals.set(topic, this.sourceTotals.get(topic)! + n);
    }
    for (const [topic, type, n] of state.totals) {
      let m = this.totals.get(topic);
      if (!m) this.totals.set(topic, (m = new Map<string, number>()));
      m.set(type, (m.get(type) ?? 0) + n);
    }
    return true;
  }
}

function isState(value: unknown): value is DlqRateState {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Partial<DlqRateState>;
  return (
    s.format === 1 &&
    Array.isArray(s.windows) &&
    typeof s.sources === 'object' &&
    s.sources !== null &&
    typeof s.dlq === 'object' &&
    s.dlq !== null &&
    typeof s.sourceTotals === 'object' &&
    s.sourceTotals !== null &&
    Array.isArray(s.totals)
  );
}
