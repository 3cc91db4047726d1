/**
 * A feature's drift windows keyed by record time (design, "Time"): each value counts in the
 * sub-windows of its record's timestamp, so a backlog read after a restart, or a tap that trails
 * its topic, lands in the windows it belongs to instead of in "the last 5 minutes".
 *
 * `FeatureWindows` only moves forward: a value older than its current tick would count in that
 * tick. Such late values (a partition read behind another, a backlog read after an evaluation
 * moved the clock to `now`) are buffered by tick and folded in at the next read: one scratch
 * state fed in tick order, advanced to the main clock and added cell by cell (states with the
 * same specs line up slot by slot). The timestamp is clamped first:
 * - later than `now`: counted at `now` (a window never holds its own future; producer clocks
 *   run ahead); more than `maxSkewMs` later is also counted as clamped;
 * - earlier than `now - largest window - maxSkewMs`, or than the largest window before the
 *   state's own clock: outside every window, not counted, tallied as clamped (past).
 * Memory: the state's fixed counters plus at most `maxLateValues` buffered values.
 */
import {
  FeatureWindows,
  type FeatureReference,
  type WindowSnapshot,
} from '../../detectors/index.js';

/** Buffered late values before they are folded in without waiting for a read. */
const maxLateValues = 10_000;

export interface ClampCounts {
  /** Stamped more than the skew after `now`: counted at `now`. */
  future: number;
  /** Stamped before every window (at `now` with the skew, or at the state's clock): not counted. */
  past: number;
}

export class RecordTimeWindows {
  private readonly late = new Map<number, unknown[]>();
  private lateCount = 0;
  private readonly maxWindowMs: number;
  private readonly tickMs: number;
  readonly clamped: ClampCounts = { future: 0, past: 0 };

  constructor(
    readonly windows: FeatureWindows,
    private readonly maxSkewMs: number,
  ) {
    this.maxWindowMs = Math.max(...windows.specs.map((s) => s.windowSeconds * 1000));
    this.tickMs = windows.specs.reduce((g, s) => gcd(g, s.subWindowSeconds), 0) * 1000;
  }

  get reference(): FeatureReference {
    return this.windows.reference;
  }

  /** One field value of a record stamped `recordMs`, read at `nowMs`. */
  add(value: unknown, recordMs: number, nowMs: number): void {
    let atMs = recordMs;
    // Kafka's "no timestamp" is -1; an unusable stamp counts at the tap's clock.
    if (!Number.isFinite(atMs) || atMs < 0) atMs = nowMs;
    if (atMs > nowMs) {
      if (atMs > nowMs + this.maxSkewMs) this.clamped.future += 1;
      atMs = nowMs;
    }
    const clockMs = this.windows.clockMs;
    // Before every window, at `now` (with the skew) or at the state's own clock: slid out.
    if (atMs < nowMs - this.maxWindowMs - this.maxSkewMs || atMs < clockMs - this.maxWindowMs) {
      this.clamped.past += 1;
      return;
    }
    if (atMs >= clockMs) {
      this.windows.update(value, atMs);
      return;
    }
    const tick = Math.floor(atMs / this.tickMs) * this.tickMs;
    const values = this.late.get(tick);
    if (values) values.push(value);
    else this.late.set(tick, [value]);
    if (++this.lateCount >= maxLateValues) this.foldLate();
  }

  /** Counts of every window at `nowMs`, late values included. */
  snapshot(nowMs: number): WindowSnapshot[] {
    this.foldLate();
    return this.windows.snapshot(nowMs);
  }

  /** The state with every buffered value folded in (to save it). */
  settled(): FeatureWindows {
    this.foldLate();
    return this.windows;
  }

  private foldLate(): void {
    if (this.lateCount === 0) return;
    const ticks = [...this.late.keys()].sort((a, b) => a - b);
    const clockMs = this.windows.clockMs;
    const scratch = FeatureWindows.create(this.windows.reference, ticks[0]!, this.windows.specs);
    for (const tick of ticks) for (const v of this.late.get(tick)!) scratch.update(v, tick);
    this.late.clear();
    this.lateCount = 0;
    // Both at the main clock: same heads, so slots line up and addCounts is exact.
    scratch.advance(clockMs);
    this.windows.advance(clockMs);
    this.windows.addCounts(scratch);
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
