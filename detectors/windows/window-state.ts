/**
 * Streaming window state of one feature against a frozen reference: additive counts per fine
 * bin (numeric) or per category, for several sliding windows at once.
 *
 * Every counter lives in one flat vector of `cellCount` cells: numeric = fine bins, then null,
 * invalid, below-min, above-max; categorical = categories, unseen, null, invalid. A value adds 1
 * to one cell of `pending` (the current tick, the gcd of all sub-window lengths), so the work
 * per value is one bin lookup and one increment whatever the number of windows. When time
 * passes a tick boundary, `pending` is added to each window's current sub-window (a ring slot)
 * and to the window's running sum; moving into a new sub-window zeroes the expired slot and
 * subtracts it from the sum. Memory is cells x (1 + windows + sub-windows) float64, whatever the
 * traffic. Sub-windows are aligned to multiples of their length since the epoch, so states of
 * several collectors line up slot by slot and merge by addition.
 *
 * Time only moves forward: a value with an earlier `nowMs` than the current tick counts in the
 * current tick.
 */
import { PipewatchError } from '../../common/index.js';
import { BinLocator } from './bin-locator.js';
import { fineToCoarseMap, type FeatureReference } from './reference.js';
import { referenceFingerprint } from './reference-json.js';
import { streamingKs } from './streaming-ks.js';
import type {
  CategoricalWindowSnapshot,
  NumericWindowSnapshot,
  WindowSnapshot,
  WindowSnapshotBase,
} from './window-snapshot.js';

export interface WindowSpec {
  /** Window length in seconds; a positive multiple of `subWindowSeconds`. */
  readonly windowSeconds: number;
  /** Sub-window (slide step) in seconds, integer >= 1; the window slides by this much. */
  readonly subWindowSeconds: number;
}

/** 5 min by 30 s, 1 h by 5 min, 24 h by 1 h. */
export const defaultWindowSpecs: readonly WindowSpec[] = Object.freeze([
  { windowSeconds: 300, subWindowSeconds: 30 },
  { windowSeconds: 3600, subWindowSeconds: 300 },
  { windowSeconds: 86_400, subWindowSeconds: 3600 },
]);

const maxSlotsPerWindow = 10_000;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Window specs every sliding-window sketch accepts (drift windows and DLQ counts alike). */
export function checkWindowSpecs(specs: readonly WindowSpec[]): void {
  if (specs.length === 0) throw new RangeError('at least one window spec is required');
  specs.forEach((s, i) => {
    const { windowSeconds: w, subWindowSeconds: sub } = s;
    if (!Number.isInteger(sub) || sub < 1) {
      throw new RangeError(`windows[${i}].subWindowSeconds must be an integer >= 1, got ${sub}`);
    }
    if (!Number.isInteger(w) || w < sub || w % sub !== 0 || w / sub > maxSlotsPerWindow) {
      throw new RangeError(
        `windows[${i}].windowSeconds must be a multiple of subWindowSeconds (${sub}) with at most ${maxSlotsPerWindow} sub-windows, got ${w}`,
      );
    }
  });
}

/** Raw parts of a state: what the codec writes and reads. */
export interface WindowStateParts {
  readonly specs: readonly WindowSpec[];
  readonly createdMs: number;
  readonly pendingStartMs: number;
  /** Absolute index (startMs / subWindowMs) of each window's newest sub-window. */
  readonly heads: Float64Array;
  readonly pending: Float64Array;
  /** All rings, window after window, slot after slot, each `cellCount` cells. */
  readonly slots: Float64Array;
}

export class FeatureWindows {
  readonly reference: FeatureReference;
  readonly fingerprint: number;
  readonly specs: readonly WindowSpec[];
  readonly cellCount: number;
  private readonly tickMs: number;
  private readonly subMs: Float64Array;
  private readonly ringLength: Uint32Array;
  private readonly ringOffset: Uint32Array;
  private readonly heads: Float64Array;
  private readonly pending: Float64Array;
  private readonly slots: Float64Array;
  private readonly sums: Float64Array;
  private createdMs: number;
  private pendingStartMs: number;
  private pendingEndMs: number;
  // Hot-path copies of the reference.
  private readonly fineEdges: Float64Array;
  private readonly edgeCount: number;
  private readonly min: number;
  private readonly max: number;
  private readonly nullCell: number;
  private readonly invalidCell: number;
  private readonly lowCell: number;
  private readonly highCell: number;
  private readonly unseenCell: number;
  private readonly categoryIndex: Map<string, number>;
  private readonly coarseMap: Uint16Array;
  private readonly locator: BinLocator;

  private constructor(reference: FeatureReference, specs: readonly WindowSpec[], nowMs: number) {
    checkWindowSpecs(specs);
    if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be finite, got ${nowMs}`);
    this.reference = reference;
    this.fingerprint = referenceFingerprint(reference);
    this.specs = Object.freeze(specs.map((s) => Object.freeze({ ...s })));
    if (reference.kind === 'numeric') {
      const bins = reference.fineEdges.length + 1;
      this.fineEdges = reference.fineEdges;
      this.min = reference.min;
      this.max = reference.max;
      [this.nullCell, this.invalidCell, this.lowCell, this.highCell] = [0, 1, 2, 3].map(
        (k) => bins + k,
      ) as [number, number, number, number];
      this.unseenCell = -1;
      this.cellCount = bins + 4;
      this.categoryIndex = new Map();
      this.coarseMap = fineToCoarseMap(reference);
    } else {
      const k = reference.categories.length;
      this.fineEdges = new Float64Array(0);
      this.min = Number.NaN;
      this.max = Number.NaN;
      [this.unseenCell, this.nullCell, this.invalidCell] = [k, k + 1, k + 2];
      this.lowCell = -1;
      this.highCell = -1;
      this.cellCount = k + 3;
      this.categoryIndex = new Map(reference.categories.map((c, i) => [c, i]));
      this.coarseMap = new Uint16Array(0);
    }
    this.edgeCount = this.fineEdges.length;
    this.locator = new BinLocator(this.fineEdges);
    this.subMs = Float64Array.from(specs, (s) => s.subWindowSeconds * 1000);
    this.ringLength = Uint32Array.from(specs, (s) => s.windowSeconds / s.subWindowSeconds);
    this.ringOffset = new Uint32Array(specs.length);
    let slotCount = 0;
    specs.forEach((_, w) => {
      this.ringOffset[w] = slotCount * this.cellCount;
      slotCount += this.ringLength[w]!;
    });
    this.tickMs = specs.reduce((g, s) => gcd(g, s.subWindowSeconds), 0) * 1000;
    this.pending = new Float64Array(this.cellCount);
    this.slots = new Float64Array(slotCount * this.cellCount);
    this.sums = new Float64Array(specs.length * this.cellCount);
    this.pendingStartMs = Math.floor(nowMs / this.tickMs) * this.tickMs;
    this.pendingEndMs = this.pendingStartMs + this.tickMs;
    this.createdMs = this.pendingStartMs;
    this.heads = Float64Array.from(this.subMs, (sub) => Math.floor(nowMs / sub));
  }

  /** A new, empty state; `nowMs` is the clock of the first tick. */
  static create(
    reference: FeatureReference,
    nowMs: number,
    specs: readonly WindowSpec[] = defaultWindowSpecs,
  ): FeatureWindows {
    return new FeatureWindows(reference, specs, nowMs);
  }

  /** Rebuilds a state from its parts (the codec and merge use this); sums are recomputed. */
  static fromParts(reference: FeatureReference, parts: WindowStateParts): FeatureWindows {
    const state = new FeatureWindows(reference, parts.specs, parts.pendingStartMs);
    if (
      parts.pending.length !== state.pending.length ||
      parts.slots.length !== state.slots.length ||
      parts.heads.length !== state.heads.length
    ) {
      throw new PipewatchError(
        'WINDOW_STATE_INVALID',
        'window state does not fit the reference bins or window specs',
      );
    }
    state.createdMs = parts.createdMs;
    state.heads.set(parts.heads);
    state.pending.set(parts.pending);
    state.slots.set(parts.slots);
    state.recomputeSums();
    return state;
  }

  parts(): WindowStateParts {
    return {
      specs: this.specs,
      createdMs: this.createdMs,
      pendingStartMs: this.pendingStartMs,
      heads: this.heads.slice(),
      pending: this.pending.slice(),
      slots: this.slots.slice(),
    };
  }

  clone(): FeatureWindows {
    return FeatureWindows.fromParts(this.reference, this.parts());
  }

  /** Bytes of counter memory: fixed at creation, independent of traffic. */
  byteSize(): number {
    return (
      this.pending.byteLength +
      this.slots.byteLength +
      this.sums.byteLength +
      this.heads.byteLength +
      this.locator.byteSize
    );
  }

  /** One numeric value; NaN counts as null (missing). */
  updateNumber(x: number, nowMs: number): void {
    if (nowMs >= this.pendingEndMs) this.rotate(nowMs);
    const pending = this.pending;
    if (x !== x) {
      pending[this.nullCell]! += 1;
      return;
    }
    pending[this.locator.locate(x)]! += 1;
    if (x < this.min) pending[this.lowCell]! += 1;
    else if (x > this.max) pending[this.highCell]! += 1;
  }

  /** A batch of numeric values seen at one time (a micro-batch or a fetched batch). */
  updateNumbers(values: ArrayLike<number>, nowMs: number): void {
    for (let i = 0; i < values.length; i++) this.updateNumber(values[i]!, nowMs);
  }

  updateCategory(value: string, nowMs: number): void {
    if (nowMs >= this.pendingEndMs) this.rotate(nowMs);
    this.pending[this.categoryIndex.get(value) ?? this.unseenCell]! += 1;
  }

  updateNull(nowMs: number): void {
    if (nowMs >= this.pendingEndMs) this.rotate(nowMs);
    this.pending[this.nullCell]! += 1;
  }

  /**
   * Any decoded field value: null/undefined count as null; a number (numeric) or a string,
   * number or boolean (categorical, as its string form) is binned; anything else is invalid.
   */
  update(value: unknown, nowMs: number): void {
    if (value === null || value === undefined) return this.updateNull(nowMs);
    if (this.reference.kind === 'numeric') {
      if (typeof value === 'number') return this.updateNumber(value, nowMs);
    } else if (typeof value === 'string') {
      return this.updateCategory(value, nowMs);
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      return this.updateCategory(String(value), nowMs);
    }
    if (nowMs >= this.pendingEndMs) this.rotate(nowMs);
    this.pending[this.invalidCell]! += 1;
  }

  /** Moves the clock to `nowMs`: closes the tick, expires sub-windows that slid out. */
  advance(nowMs: number): void {
    if (nowMs >= this.pendingEndMs) this.rotate(nowMs);
    const t = Math.max(nowMs, this.pendingStartMs);
    for (let w = 0; w < this.heads.length; w++)
      this.advanceWindow(w, Math.floor(t / this.subMs[w]!));
  }

  /** Counts of every window at `nowMs` (advances the clock first). */
  snapshot(nowMs: number): WindowSnapshot[] {
    this.advance(nowMs);
    const endMs = Math.max(nowMs, this.pendingStartMs);
    return this.specs.map((spec, w) => {
      const cells = this.sums.slice(w * this.cellCount, (w + 1) * this.cellCount);
      for (let c = 0; c < cells.length; c++) cells[c]! += this.pending[c]!;
      const oldestMs = (this.heads[w]! - this.ringLength[w]! + 1) * this.subMs[w]!;
      const base = {
        windowSeconds: spec.windowSeconds,
        subWindowSeconds: spec.subWindowSeconds,
        startMs: Math.max(oldestMs, this.createdMs),
        endMs,
        nullCount: cells[this.nullCell]!,
        invalidCount: cells[this.invalidCell]!,
      };
      return this.reference.kind === 'numeric'
        ? this.numericSnapshot(base, cells)
        : this.categoricalSnapshot(base, cells);
    });
  }

  private numericSnapshot(
    base: Omit<WindowSnapshotBase, 'n'>,
    cells: Float64Array,
  ): NumericWindowSnapshot {
    const reference = this.reference as Extract<FeatureReference, { kind: 'numeric' }>;
    const fineCounts = cells.slice(0, this.edgeCount + 1);
    const coarseCounts = new Float64Array(reference.edges.length + 1);
    const map = this.coarseMap;
    let n = 0;
    for (let f = 0; f < fineCounts.length; f++) {
      coarseCounts[map[f]!]! += fineCounts[f]!;
      n += fineCounts[f]!;
    }
    return {
      kind: 'numeric',
      ...base,
      n,
      outOfRangeLow: cells[this.lowCell]!,
      outOfRangeHigh: cells[this.highCell]!,
      coarseCounts,
      fineCounts,
      ks: streamingKs(reference.fineCounts, fineCounts),
    };
  }

  private categoricalSnapshot(
    base: Omit<WindowSnapshotBase, 'n'>,
    cells: Float64Array,
  ): CategoricalWindowSnapshot {
    const counts = cells.slice(0, this.unseenCell + 1);
    return {
      kind: 'categorical',
      ...base,
      n: counts.reduce((a, b) => a + b, 0),
      counts,
      unseenCount: cells[this.unseenCell]!,
    };
  }

  /** Adds another state's counts (same bins and windows, same clock) into this one. */
  addCounts(other: FeatureWindows): void {
    for (let c = 0; c < this.pending.length; c++) this.pending[c]! += other.pending[c]!;
    for (let c = 0; c < this.slots.length; c++) this.slots[c]! += other.slots[c]!;
    this.recomputeSums();
    this.createdMs = Math.min(this.createdMs, other.createdMs);
  }

  get clockMs(): number {
    return this.pendingStartMs;
  }

  private rotate(nowMs: number): void {
    const cells = this.cellCount;
    for (let w = 0; w < this.heads.length; w++) {
      this.advanceWindow(w, Math.floor(this.pendingStartMs / this.subMs[w]!));
      const slot = this.ringOffset[w]! + (this.heads[w]! % this.ringLength[w]!) * cells;
      const sum = w * cells;
      for (let c = 0; c < cells; c++) {
        const v = this.pending[c]!;
        this.slots[slot + c]! += v;
        this.sums[sum + c]! += v;
      }
    }
    this.pending.fill(0);
    this.pendingStartMs = Math.floor(nowMs / this.tickMs) * this.tickMs;
    this.pendingEndMs = this.pendingStartMs + this.tickMs;
  }

  /** Moves window w's newest sub-window to absolute index `head`, expiring what slid out. */
  private advanceWindow(w: number, head: number): void {
    const current = this.heads[w]!;
    if (head <= current) return;
    const ring = this.ringLength[w]!;
    const cells = this.cellCount;
    const steps = Math.min(head - current, ring);
    for (let k = 1; k <= steps; k++) {
      const slot = this.ringOffset[w]! + ((current + k) % ring) * cells;
      const sum = w * cells;
      for (let c = 0; c < cells; c++) {
        this.sums[sum + c]! -= this.slots[slot + c]!;
        this.slots[slot + c] = 0;
      }
    }
    this.heads[w] = head;
  }

  private recomputeSums(): void {
    const cells = this.cellCount;
    this.sums.fill(0);
    for (let w = 0; w < this.heads.length; w++) {
      for (let s = 0; s < this.ringLength[w]!; s++) {
        const slot = this.ringOffset[w]! + s * cells;
        for (let c = 0; c < cells; c++) this.sums[w * cells + c]! += this.slots[slot + c]!;
      }
    }
  }
}
