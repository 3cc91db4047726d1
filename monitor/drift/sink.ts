/**
 * The feature-topic sink for drift, the record-to-window edge: one window state per watched
 * (topic, feature), fed with `payload[feature]` of every decoded record at the record's own
 * timestamp, clamped around the tap's clock (`RecordTimeWindows`). Which features are watched,
 * and against which reference version, comes from `setReferences` (the drift runtime polls the
 * reference store). Memory is bounded by the number of registered references: one state each.
 */
import type { DecodedRecord, RecordSink } from '../../collector/index.js';
import {
  FeatureWindows,
  type FeatureReference,
  type WindowSnapshot,
  type WindowSpec,
} from '../../detectors/index.js';
import { RecordTimeWindows } from './record-time-windows.js';

export interface WatchedReference {
  readonly topic: string;
  readonly feature: string;
  readonly version: number;
  readonly reference: FeatureReference;
}

export interface TrackedFeature extends WatchedReference {
  readonly windows: RecordTimeWindows;
}

export interface ReferenceChanges {
  /** Features whose windows were created (new feature or new reference version). */
  readonly started: readonly TrackedFeature[];
  /** Features no longer registered (their windows are dropped). */
  readonly removed: readonly WatchedReference[];
}

/** Default of `drift.maxTimestampSkewSeconds`. */
export const defaultMaxTimestampSkewMs = 300_000;

export class DriftSink implements RecordSink {
  readonly name = 'drift';
  private readonly byTopic = new Map<string, Map<string, TrackedFeature>>();

  constructor(
    private readonly specs: readonly WindowSpec[],
    /** How far a record's timestamp may stray from the tap's clock before it is clamped. */
    private readonly maxTimestampSkewMs: number = defaultMaxTimestampSkewMs,
  ) {}

  /** `nowMs` is the tap's clock: the bound of the clamp, not the time a value is counted at. */
  onRecord(record: DecodedRecord, nowMs: number): void {
    const features = this.byTopic.get(record.topic);
    if (!features) return;
    // FeatureWindows.update counts null/undefined as null and a wrong type as invalid.
    for (const tracked of features.values())
      tracked.windows.add(record.payload[tracked.feature], record.timestampMs, nowMs);
  }

  /**
   * Makes the watched set equal to `references` (latest version per feature). A feature with a
   * new version starts from empty windows, or from `restore(...)` when it returns a state.
   */
  setReferences(
    references: readonly WatchedReference[],
    nowMs: number,
    restore: (watched: WatchedReference) => FeatureWindows | undefined = () => undefined,
  ): ReferenceChanges {
    const started: TrackedFeature[] = [];
    const wanted = new Set<string>();
    for (const ref of references) {
      wanted.add(key(ref.topic, ref.feature));
      const current = this.get(ref.topic, ref.feature);
      if (current?.version === ref.version) continue;
      const state = restore(ref) ?? FeatureWindows.create(ref.reference, nowMs, this.specs);
      const tracked: TrackedFeature = {
        ...ref,
        windows: new RecordTimeWindows(state, this.maxTimestampSkewMs),
      };
      let features = this.byTopic.get(ref.topic);
      if (!features) this.byTopic.set(ref.topic, (features = new Map<string, TrackedFeature>()));
      features.set(ref.feature, tracked);
      started.push(tracked);
    }
    const removed: WatchedReference[] = [];
    for (const tracked of this.tracked()) {
      if (wanted.has(key(tracked.topic, tracked.feature))) continue;
      this.byTopic.get(tracked.topic)?.delete(tracked.feature);
      removed.push(tracked);
    }
    for (const [topic, features] of this.byTopic)
      if (features.size === 0) this.byTopic.delete(topic);
    return { started, removed };
  }

  get(topic: string, feature: string): TrackedFeature | undefined {
    return this.byTopic.get(topic)?.get(feature);
  }

  /** Every tracked feature, by topic then feature. */
  tracked(): TrackedFeature[] {
    return [...this.byTopic.values()]
      .flatMap((features) => [...features.values()])
      .sort((a, b) => compare(a.topic, b.topic) || compare(a.feature, b.feature));
  }

  snapshot(topic: string, feature: string, nowMs: number): WindowSnapshot[] | undefined {
    return this.get(topic, feature)?.windows.snapshot(nowMs);
  }
}

function key(topic: string, feature: string): string {
  return JSON.stringify([topic, feature]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
