/**
 * Counts over several sliding windows at once, from fixed sub-windows aligned to multiples of
 * their length since the epoch (so the counts of several collectors line up and merge by
 * addition). Each window is a ring of `windowSeconds / subWindowSeconds` slots; a slot remembers
 * which sub-window (absolute index) it holds, so a slot left from an earlier lap is never read
 * as current and nothing has to tick. Memory: 2 × slots float64 per window, whatever the traffic.
 *
 * Time: the caller passes each count's key time, the record timestamp clamped into
 * [now − maxSkew, now] (see `clampToSkew`): a replayed backlog lands in the windows its records
 * belong to, a broken timestamp cannot reach further than the skew, and nothing lands in a
 * future sub-window (it would overwrite a live slot of the same ring position).
 */

import { checkWindowSpecs, type WindowSpec } from '../windows/index.js';

/** A DLQ count window: the same spec, and the same checks, as a drift window. */
export type CountWindowSpec = WindowSpec;
export const checkCountWindowSpecs = checkWindowSpecs;

/**
 * The key time of a record: its timestamp clamped into [nowMs − maxSkewMs, nowMs]. A record
 * without a timestamp (negative, as Kafka writes "none", or not finite) counts at `nowMs`.
 */
export function clampToSkew(timestampMs: number, nowMs: number, maxSkewMs: number): number {
  if (!Number.isFinite(timestampMs) || timestampMs < 0) return nowMs;
  return Math.min(nowMs, Math.max(timestampMs, nowMs - maxSkewMs));
}

/** Non-zero slots of one window: [sub-window index, count] pairs. */
export type SlotPairs = readonly (readonly [number, number])[];

export class SlidingCounts {
  private readonly subMs: number[];
  private readonly counts: Float64Array[];
  private readonly indices: Float64Array[];

  constructor(readonly specs: readonly CountWindowSpec[]) {
    checkCountWindowSpecs(specs);
    this.subMs = specs.map((s) => s.subWindowSeconds * 1000);
    this.counts = specs.map((s) => new Float64Array(s.windowSeconds / s.subWindowSeconds));
    this.indices = specs.map((s) =>
      new Float64Array(s.windowSeconds / s.subWindowSeconds).fill(-1),
    );
  }

  /** Adds `n` at key time `keyMs` (already clamped; see clampToSkew). */
  add(keyMs: number, n = 1): void {
    for (let w = 0; w < this.specs.length; w++) {
      const index = Math.floor(keyMs / this.subMs[w]!);
      const counts = this.counts[w]!;
      const indices = this.indices[w]!;
      const slot = index % counts.length;
      const held = indices[slot]!;
      if (held === index) counts[slot]! += n;
      else if (held < index) {
        // The slot holds a sub-window one lap (or more) older: it left the window.
        indices[slot] = index;
        counts[slot] = n;
      }
      // held > index: older than the whole window; it is in none of this window's sub-windows.
    }
  }

  /** Count in window `w` at `nowMs`: the sub-windows from now's back to the ring's length. */
  sum(w: number, nowMs: number): number {
    const counts = this.counts[w]!;
    const indices = this.indices[w]!;
    const head = Math.floor(nowMs / this.subMs[w]!);
    const oldest = head - counts.length + 1;
    let total = 0;
    for (let i = 0; i < counts.length; i++) {
      const index = indices[i]!;
      if (index >= oldest && index <= head) total += counts[i]!;
    }
    return total;
  }

  /** Non-zero slots per window, for persistence. */
  toPairs(): SlotPairs[] {
    return this.counts.map((counts, w) => {
      const indices = this.indices[w]!;
      const pairs: [number, number][] = [];
      for (let i = 0; i < counts.length; i++) {
        if (counts[i]! > 0 && indices[i]! >= 0) pairs.push([indices[i]!, counts[i]!]);
      }
      return pairs.sort((a, b) => a[0] - b[0]);
    });
  }

  /** Adds saved slots back (what `toPairs` wrote for the same specs). */
  addPairs(perWindow: readonly SlotPairs[]): void {
    perWindow.forEach((pairs, w) => {
      if (w >= this.specs.length) return;
      const counts = this.counts[w]!;
      const indices = this.indices[w]!;
      for (const [index, count] of pairs) {
        if (!Number.isInteger(index) || index < 0 || !(count > 0)) continue;
        const slot = index % counts.length;
        const held = indices[slot]!;
        if (held === index) counts[slot]! += count;
        else if (held < index) {
          indices[slot] = index;
          counts[slot] = count;
        }
      }
    });
  }
}
