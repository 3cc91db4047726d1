/** What a window holds at a point in time: exactly the counts the drift statistics need. */
import type { StreamingKs } from './streaming-ks.js';

export interface WindowSnapshotBase {
  readonly windowSeconds: number;
  readonly subWindowSeconds: number;
  /** Start of the oldest sub-window still counted (or of the state's first tick). */
  readonly startMs: number;
  readonly endMs: number;
  /** Non-null, valid values counted in the bins. */
  readonly n: number;
  readonly nullCount: number;
  /** Values of the wrong type (e.g. an object for a numeric feature), kept out of the bins. */
  readonly invalidCount: number;
}

export interface NumericWindowSnapshot extends WindowSnapshotBase {
  readonly kind: 'numeric';
  /** Values below the reference minimum (also counted in the first bins). */
  readonly outOfRangeLow: number;
  /** Values above the reference maximum (also counted in the last bins). */
  readonly outOfRangeHigh: number;
  readonly coarseCounts: Float64Array;
  readonly fineCounts: Float64Array;
  /** Streaming KS against the reference's fine bins, with its error bound (NaN when n = 0). */
  readonly ks: StreamingKs;
}

export interface CategoricalWindowSnapshot extends WindowSnapshotBase {
  readonly kind: 'categorical';
  /** One count per reference category, then one for unseen categories. */
  readonly counts: Float64Array;
  readonly unseenCount: number;
}

export type WindowSnapshot = NumericWindowSnapshot | CategoricalWindowSnapshot;
