/**
 * Feature drift at run time: keeps the drift sink's watched set in line with the reference store,
 * evaluates every window on a timer, exports the readings to Prometheus, answers the API, and
 * saves the window states to SQLite (periodically and at stop) so a restart resumes the counts.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  evaluateSnapshot,
  INITIAL_DRIFT_STREAK,
  nextDriftStreak,
  referenceBinCounts,
  referenceBinLabels,
  restoreWindowState,
  serializeWindowState,
  snapshotBinCounts,
  type DriftStreak,
  type DriftThresholds,
  type FeatureReference,
  type FeatureWindows,
  type WindowEvaluation,
  type WindowSpec,
} from '../detectors/index.js';
import type { ReferenceStore, WindowStateStore } from '../store/index.js';
import { DriftSink, type TrackedFeature, type WatchedReference } from './drift-sink.js';
import { driftGauges, type DriftGauges } from './drift-metrics.js';

export interface DriftMonitorOptions {
  readonly referenceStore: Pick<ReferenceStore, 'list' | 'get'>;
  /** Where window states survive restarts; without it nothing is saved or restored. */
  readonly windowStateStore?: WindowStateStore;
  readonly metricsRegistry: Registry;
  readonly logger: Logger;
  readonly windows: readonly WindowSpec[];
  readonly thresholds: Partial<DriftThresholds>;
  /** Fewest window values before a window is decided. */
  readonly minWindowValues: number;
  /** Timer period of refresh + evaluation, ms. */
  readonly evaluateIntervalMs: number;
  /** Timer period of saving window states, ms. */
  readonly persistIntervalMs: number;
  /** Clock; default Date.now. */
  readonly nowMs?: () => number;
}

export interface WindowDriftState {
  readonly evaluation: WindowEvaluation;
  /** Current counts per bin, aligned with the reference histogram. */
  readonly currentCounts: readonly number[];
  /** Consecutive drifting windows and whether k was reached. */
  readonly streak: DriftStreak;
}

export interface FeatureDriftState {
  readonly topic: string;
  readonly feature: string;
  readonly referenceVersion: number;
  readonly kind: FeatureReference['kind'];
  readonly evaluatedAtMs: number | null;
  /** Any window has drifted for k consecutive windows. */
  readonly detected: boolean;
  readonly referenceHistogram: {
    readonly bins: readonly string[];
    /** Coarse bin edges (numeric); bins are (-inf, e1), [e1, e2), ..., [e_last, +inf). */
    readonly edges: readonly number[] | null;
    readonly counts: readonly number[];
  };
  readonly windows: readonly WindowDriftState[];
}

/** What the API reads. */
export interface DriftView {
  features(): FeatureDriftState[];
  feature(topic: string, feature: string): FeatureDriftState | undefined;
}

interface Streaks {
  streak: DriftStreak;
  /** Index of the sub-window in which the streak last stepped. */
  lastStep: number;
}

export class DriftMonitor implements DriftView {
  readonly sink: DriftSink;
  private readonly gauges: DriftGauges;
  private readonly now: () => number;
  private readonly states = new Map<string, FeatureDriftState>();
  private readonly streaks = new Map<string, Streaks>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: DriftMonitorOptions) {
    this.sink = new DriftSink(options.windows);
    this.gauges = driftGauges(options.metricsRegistry);
    this.now = options.nowMs ?? Date.now;
  }

  /** Restores states, then refreshes and evaluates every `evaluateIntervalMs`. */
  start(): void {
    this.refresh(this.now());
    const evaluate = setInterval(() => this.tick(), this.options.evaluateIntervalMs);
    const persist = setInterval(() => this.persistSafely(), this.options.persistIntervalMs);
    evaluate.unref();
    persist.unref();
    this.timers = [evaluate, persist];
  }

  /** Stops the timers and saves the states one last time. */
  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.persist(this.now());
  }

  /** Aligns the watched set with the store's latest version of each (topic, feature). */
  refresh(nowMs: number): void {
    const latest = new Map<string, { topic: string; feature: string; version: number }>();
    for (const s of this.options.referenceStore.list()) {
      const k = featureKey(s.topic, s.feature);
      if ((latest.get(k)?.version ?? 0) < s.version) latest.set(k, s);
    }
    const watched: WatchedReference[] = [];
    for (const { topic, feature, version } of latest.values()) {
      const tracked = this.sink.get(topic, feature);
      if (tracked?.version === version) {
        watched.push(tracked);
        continue;
      }
      const stored = this.options.referenceStore.get(topic, feature, version);
      if (stored) watched.push({ topic, feature, version, reference: stored.reference });
    }
    const changes = this.sink.setReferences(watched, nowMs, (w) => this.restore(w));
    for (const started of changes.started) this.forget(started.topic, started.feature);
    for (const removed of changes.removed) {
      this.forget(removed.topic, removed.feature);
      this.options.windowStateStore?.delete(removed.topic, removed.feature);
      this.options.logger.info(
        { topic: removed.topic, feature: removed.feature },
        'drift reference deleted; its windows and series are gone',
      );
    }
  }

  /** Snapshots and evaluates every window of every watched feature; updates the gauges. */
  evaluate(nowMs: number): void {
    const k = this.options.thresholds.consecutiveWindows ?? 3;
    for (const tracked of this.sink.tracked()) {
      try {
        this.evaluateFeature(tracked, nowMs, k);
      } catch (error) {
        // One broken feature must not stop the others from being evaluated.
        const { topic, feature } = tracked;
        this.options.logger.error({ topic, feature, err: error }, 'drift evaluation failed');
      }
    }
  }

  private evaluateFeature(tracked: TrackedFeature, nowMs: number, k: number): void {
    const { thresholds, minWindowValues } = this.options;
    const { topic, feature, reference } = tracked;
    const windows = tracked.windows.snapshot(nowMs).map((snapshot): WindowDriftState => {
      const evaluation = evaluateSnapshot(reference, snapshot, { thresholds, minWindowValues });
      const streakKey = featureKey(topic, feature, evaluation.window);
      const previous = this.streaks.get(streakKey) ?? {
        streak: INITIAL_DRIFT_STREAK,
        lastStep: -1,
      };
      // The streak steps once per sub-window slide: each step is a new window position.
      const step = Math.floor(snapshot.endMs / (snapshot.subWindowSeconds * 1000));
      const streak =
        step > previous.lastStep
          ? nextDriftStreak(previous.streak, evaluation.drift, k)
          : previous.streak;
      this.streaks.set(streakKey, { streak, lastStep: Math.max(step, previous.lastStep) });
      return { evaluation, currentCounts: Array.from(snapshotBinCounts(snapshot)), streak };
    });
    const state: FeatureDriftState = {
      ...describe(tracked),
      evaluatedAtMs: nowMs,
      detected: windows.some((w) => w.streak.drifting),
      windows,
    };
    this.states.set(featureKey(topic, feature), state);
    this.gauges.set(state);
  }

  /**
   * `store` with register and delete followed by an immediate refresh, so a reference added
   * through the API is watched from its next record rather than from the next evaluation.
   */
  notifying(store: ReferenceStore): ReferenceStore {
    const refreshNow = () => {
      try {
        this.refresh(this.now());
      } catch (error) {
        this.options.logger.error({ err: error }, 'drift reference refresh failed');
      }
    };
    return {
      get: (topic, feature, version) => store.get(topic, feature, version),
      list: (filter) => store.list(filter),
      register: (input, nowMs) => {
        const stored = store.register(input, nowMs);
        refreshNow();
        return stored;
      },
      delete: (topic, feature, version) => {
        const deleted = store.delete(topic, feature, version);
        refreshNow();
        return deleted;
      },
    };
  }

  /** Saves every watched feature's window state (one transaction). */
  persist(nowMs: number): void {
    const store = this.options.windowStateStore;
    if (!store) return;
    store.saveAll(
      this.sink.tracked().map((t) => ({
        topic: t.topic,
        feature: t.feature,
        referenceVersion: t.version,
        savedAtMs: nowMs,
        state: serializeWindowState(t.windows),
      })),
    );
  }

  features(): FeatureDriftState[] {
    return this.sink.tracked().map((t) => this.feature(t.topic, t.feature)!);
  }

  feature(topic: string, feature: string): FeatureDriftState | undefined {
    const tracked = this.sink.get(topic, feature);
    if (!tracked) return undefined;
    return (
      this.states.get(featureKey(topic, feature)) ?? {
        ...describe(tracked),
        evaluatedAtMs: null,
        detected: false,
        windows: [],
      }
    );
  }

  private tick(): void {
    try {
      const nowMs = this.now();
      this.refresh(nowMs);
      this.evaluate(nowMs);
    } catch (error) {
      this.options.logger.error({ err: error }, 'drift evaluation failed');
    }
  }

  private persistSafely(): void {
    try {
      this.persist(this.now());
    } catch (error) {
      this.options.logger.error({ err: error }, 'saving drift window states failed');
    }
  }

  private restore(watched: WatchedReference): FeatureWindows | undefined {
    const store = this.options.windowStateStore;
    const saved = store?.load(watched.topic, watched.feature);
    if (!store || !saved) return undefined;
    const where = { topic: watched.topic, feature: watched.feature };
    if (saved.referenceVersion !== watched.version) {
      this.options.logger.info(
        { ...where, savedVersion: saved.referenceVersion, referenceVersion: watched.version },
        'discarding saved drift windows of another reference version',
      );
      store.delete(watched.topic, watched.feature);
      return undefined;
    }
    try {
      const windows = restoreWindowState(saved.state, watched.reference);
      if (JSON.stringify(windows.specs) !== JSON.stringify(this.options.windows)) {
        this.options.logger.info(where, 'discarding saved drift windows: window specs changed');
        return undefined;
      }
      this.options.logger.info({ ...where, savedAtMs: saved.savedAtMs }, 'drift windows restored');
      return windows;
    } catch (error) {
      this.options.logger.warn({ ...where, err: error }, 'discarding unreadable drift windows');
      return undefined;
    }
  }

  private forget(topic: string, feature: string): void {
    this.states.delete(featureKey(topic, feature));
    for (const k of [...this.streaks.keys()]) {
      if (k.startsWith(featureKey(topic, feature).slice(0, -1) + ',')) this.streaks.delete(k);
    }
    this.gauges.remove(topic, feature);
  }
}

function describe(
  tracked: WatchedReference,
): Pick<
  FeatureDriftState,
  'topic' | 'feature' | 'referenceVersion' | 'kind' | 'referenceHistogram'
> {
  const { reference } = tracked;
  return {
    topic: tracked.topic,
    feature: tracked.feature,
    referenceVersion: tracked.version,
    kind: reference.kind,
    referenceHistogram: {
      bins: referenceBinLabels(reference),
      edges: reference.kind === 'numeric' ? Array.from(reference.edges) : null,
      counts: Array.from(referenceBinCounts(reference)),
    },
  };
}

function featureKey(...parts: string[]): string {
  return JSON.stringify(parts);
}
