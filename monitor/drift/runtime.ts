/**
 * Feature drift at run time: keeps the drift sink's watched set in line with the reference store,
 * evaluates every window on a timer with one injected clock, publishes the readings on the
 * board (one source per feature), answers the API, and saves window states and streaks to
 * SQLite (periodically and at stop) so a restart resumes the counts and "k in a row".
 */
import type { Logger } from 'pino';
import {
  evaluateSnapshot,
  referenceBinCounts,
  referenceBinLabels,
  snapshotBinCounts,
  type DriftThresholds,
  type WindowSpec,
} from '../../detectors/index.js';
import type { ReferenceStore, SavedStreak, WindowStateStore } from '../../store/index.js';
import type { ReadingsBoard } from '../board.js';
import { restoreDriftState, saveDriftStates, type RestoredDrift } from './persistence.js';
import { describeDriftMetrics, driftReadings } from './readings.js';
import { DriftSink, type TrackedFeature, type WatchedReference } from './sink.js';
import { StreakBook } from './streaks.js';
import type { DriftView, FeatureDriftState, WindowDriftState } from './view.js';

export interface DriftRuntimeOptions {
  readonly referenceStore: Pick<ReferenceStore, 'list' | 'get'>;
  /** Where window states survive restarts; without it nothing is saved or restored. */
  readonly windowStateStore?: WindowStateStore;
  /** Where the readings go (every reader, /metrics included, reads them there). */
  readonly board: ReadingsBoard;
  readonly logger: Logger;
  readonly windows: readonly WindowSpec[];
  readonly thresholds: Partial<DriftThresholds>;
  /** Fewest window values before a window is decided. */
  readonly minWindowValues: number;
  /** Timer period of refresh + evaluation, ms. */
  readonly evaluateIntervalMs: number;
  /** Timer period of saving window states, ms. */
  readonly persistIntervalMs: number;
  /** How far a record timestamp may stray from the clock before it is clamped. Default 300 s. */
  readonly maxTimestampSkewMs?: number;
  /** Clock; default Date.now. */
  readonly nowMs?: () => number;
}

export class DriftRuntime implements DriftView {
  readonly sink: DriftSink;
  private readonly now: () => number;
  private readonly states = new Map<string, Map<string, FeatureDriftState>>();
  private readonly streaks = new StreakBook();
  private timers: NodeJS.Timeout[] = [];
  /** Unreadable references already logged (exact keys, not prefixes). */
  private readonly unreadable = new Set<string>();

  constructor(private readonly options: DriftRuntimeOptions) {
    this.sink = new DriftSink(options.windows, options.maxTimestampSkewMs);
    this.now = options.nowMs ?? Date.now;
    describeDriftMetrics(options.board);
  }

  /**
   * Restores states, then refreshes and evaluates every `evaluateIntervalMs`. A failing first
   * refresh is logged and retried at the next tick: drift never stops the service starting.
   */
  start(): void {
    this.tick(false);
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

  /**
   * Aligns the watched set with the store's latest version of each (topic, feature). Each
   * reference is read on its own: one that cannot be read is logged by name and skipped (the
   * version watched before, if any, stays), and never stops the others from being watched.
   */
  refresh(nowMs: number): void {
    const { referenceStore, logger } = this.options;
    const latest = new Map<string, { topic: string; feature: string; version: number }>();
    for (const s of referenceStore.list()) {
      const k = JSON.stringify([s.topic, s.feature]);
      if ((latest.get(k)?.version ?? 0) < s.version) latest.set(k, s);
    }
    const watched: WatchedReference[] = [];
    for (const { topic, feature, version } of latest.values()) {
      const tracked = this.sink.get(topic, feature);
      if (tracked?.version === version) {
        watched.push(tracked);
        continue;
      }
      try {
        const stored = referenceStore.get(topic, feature, version);
        if (stored) watched.push({ topic, feature, version, reference: stored.reference });
      } catch (error) {
        this.reportUnreadable(topic, feature, version, tracked !== undefined, error);
        // The version watched before (if any) stays watched until a readable one replaces it.
        if (tracked) watched.push(tracked);
      }
    }
    const restoredStreaks = new Map<string, readonly SavedStreak[]>();
    const changes = this.sink.setReferences(watched, nowMs, (w) => {
      const restored = this.restore(w);
      if (restored) restoredStreaks.set(JSON.stringify([w.topic, w.feature]), restored.streaks);
      return restored?.windows;
    });
    for (const started of changes.started) {
      this.forget(started.topic, started.feature);
      const saved = restoredStreaks.get(JSON.stringify([started.topic, started.feature]));
      if (saved) this.streaks.restore(started.topic, started.feature, saved);
    }
    for (const removed of changes.removed) {
      this.forget(removed.topic, removed.feature);
      this.options.windowStateStore?.delete(removed.topic, removed.feature);
      logger.info(
        { topic: removed.topic, feature: removed.feature },
        'drift reference deleted; its windows and series are gone',
      );
    }
  }

  /** Snapshots and evaluates every window of every watched feature; publishes the readings. */
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
      // The streak steps once per sub-window slide: each step is a new window position.
      const step = Math.floor(snapshot.endMs / (snapshot.subWindowSeconds * 1000));
      const streak = this.streaks.step(
        topic,
        feature,
        evaluation.window,
        step,
        evaluation.drift,
        k,
      );
      return { evaluation, currentCounts: Array.from(snapshotBinCounts(snapshot)), streak };
    });
    const state: FeatureDriftState = {
      ...describe(tracked),
      evaluatedAtMs: nowMs,
      detected: windows.some((w) => w.streak.drifting),
      windows,
    };
    let byFeature = this.states.get(topic);
    if (!byFeature) this.states.set(topic, (byFeature = new Map<string, FeatureDriftState>()));
    byFeature.set(feature, state);
    const clamped = { ...tracked.windows.clamped };
    this.options.board.publish(
      boardSource(topic, feature),
      driftReadings({ ...state, clamped }, nowMs),
    );
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
      invalid: (filter) => store.invalid?.(filter) ?? [],
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

  /** Saves every watched feature's window state and streaks (one transaction). */
  persist(nowMs: number): void {
    const store = this.options.windowStateStore;
    if (!store) return;
    saveDriftStates(store, this.sink.tracked(), (t, f) => this.streaks.saved(t, f), nowMs);
  }

  features(): FeatureDriftState[] {
    return this.sink.tracked().map((t) => this.feature(t.topic, t.feature)!);
  }

  feature(topic: string, feature: string): FeatureDriftState | undefined {
    const tracked = this.sink.get(topic, feature);
    if (!tracked) return undefined;
    return (
      this.states.get(topic)?.get(feature) ?? {
        ...describe(tracked),
        evaluatedAtMs: null,
        detected: false,
        windows: [],
      }
    );
  }

  private tick(evaluate = true): void {
    try {
      const nowMs = this.now();
      this.refresh(nowMs);
      if (evaluate) this.evaluate(nowMs);
    } catch (error) {
      this.options.logger.error({ err: error }, 'drift refresh or evaluation failed');
    }
  }

  private persistSafely(): void {
    try {
      this.persist(this.now());
    } catch (error) {
      this.options.logger.error({ err: error }, 'saving drift window states failed');
    }
  }

  private restore(watched: WatchedReference): RestoredDrift | undefined {
    const store = this.options.windowStateStore;
    if (!store) return undefined;
    return restoreDriftState(store, watched, this.options.windows, this.options.logger);
  }

  /** One error line per unreadable (topic, feature, version), not one per tick. */
  private reportUnreadable(
    topic: string,
    feature: string,
    version: number,
    keptPrevious: boolean,
    error: unknown,
  ): void {
    const key = JSON.stringify([topic, feature, version]);
    if (this.unreadable.has(key)) return;
    this.unreadable.add(key);
    this.options.logger.error(
      { topic, feature, version, keptPreviousVersion: keptPrevious, err: error },
      'drift reference unreadable: skipped, the other references are still watched',
    );
  }

  private forget(topic: string, feature: string): void {
    const byFeature = this.states.get(topic);
    byFeature?.delete(feature);
    if (byFeature?.size === 0) this.states.delete(topic);
    this.streaks.forget(topic, feature);
    this.options.board.clear(boardSource(topic, feature));
  }
}

/** One board source per feature: its whole set of readings is replaced at each evaluation. */
function boardSource(topic: string, feature: string): string {
  return `drift:${JSON.stringify([topic, feature])}`;
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
