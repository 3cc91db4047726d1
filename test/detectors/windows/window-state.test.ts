import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PipewatchError } from '../../../common/index.js';
import {
  binIndex,
  categoricalReferenceFromValues,
  FeatureWindows,
  mergeWindowStates,
  numericReferenceFromValues,
  restoreWindowState,
  serializeWindowState,
  type NumericWindowSnapshot,
  type WindowSpec,
} from '../../../detectors/index.js';
import { seededRandom as rng } from '../../support/random.js';

const specs: WindowSpec[] = [
  { windowSeconds: 60, subWindowSeconds: 10 },
  { windowSeconds: 600, subWindowSeconds: 60 },
  { windowSeconds: 3600, subWindowSeconds: 600 },
];
const t0 = 1_700_000_003_217;
const random = rng(7);
const referenceValues = Array.from({ length: 2000 }, () => random() * 100);
const reference = numericReferenceFromValues(referenceValues, { bins: 10, fineBins: 50 });

interface Event {
  value: number | null;
  atMs: number;
}

function events(seed: number, count: number, spanMs: number): Event[] {
  const next = rng(seed);
  let atMs = t0;
  return Array.from({ length: count }, () => {
    atMs += Math.floor(next() * ((2 * spanMs) / count));
    const u = next();
    const value = u < 0.05 ? null : -20 + next() * 140; // some below min, some above max
    return { value, atMs };
  });
}

function feed(state: FeatureWindows, list: readonly Event[]) {
  for (const e of list) {
    if (e.value === null) state.updateNull(e.atMs);
    else state.updateNumber(e.value, e.atMs);
  }
}

/** What a window holds at nowMs, computed directly from the events. */
function expected(list: readonly Event[], spec: WindowSpec, nowMs: number) {
  const subMs = spec.subWindowSeconds * 1000;
  const startMs = Math.max(
    (Math.floor(nowMs / subMs) - spec.windowSeconds / spec.subWindowSeconds + 1) * subMs,
    Math.floor(t0 / 10_000) * 10_000,
  );
  const inside = list.filter((e) => e.atMs >= startMs && e.atMs <= nowMs);
  const numbers = inside.flatMap((e) => (e.value === null ? [] : [e.value]));
  const fine = new Array<number>(reference.fineEdges.length + 1).fill(0);
  const coarse = new Array<number>(reference.edges.length + 1).fill(0);
  for (const x of numbers) {
    fine[binIndex(reference.fineEdges, x)]! += 1;
    coarse[binIndex(reference.edges, x)]! += 1;
  }
  return {
    startMs,
    n: numbers.length,
    nullCount: inside.length - numbers.length,
    outOfRangeLow: numbers.filter((x) => x < reference.min).length,
    outOfRangeHigh: numbers.filter((x) => x > reference.max).length,
    fineCounts: fine,
    coarseCounts: coarse,
  };
}

function plain(s: NumericWindowSnapshot) {
  return {
    startMs: s.startMs,
    n: s.n,
    nullCount: s.nullCount,
    outOfRangeLow: s.outOfRangeLow,
    outOfRangeHigh: s.outOfRangeHigh,
    fineCounts: Array.from(s.fineCounts),
    coarseCounts: Array.from(s.coarseCounts),
  };
}

describe('sliding windows by sub-windows', () => {
  const list = events(1, 20_000, 3 * 3600_000);

  it('hold exactly the values of the sub-windows still inside each window', () => {
    const state = FeatureWindows.create(reference, t0, specs);
    let fed = 0;
    for (const checkAtMs of [t0 + 45_000, t0 + 700_000, t0 + 3_601_000, t0 + 9_000_000]) {
      const upTo = list.findIndex((e) => e.atMs > checkAtMs);
      const slice = list.slice(fed, upTo === -1 ? list.length : upTo);
      feed(state, slice);
      fed += slice.length;
      const seen = list.slice(0, fed);
      const snapshots = state.snapshot(checkAtMs) as NumericWindowSnapshot[];
      specs.forEach((spec, w) => {
        assert.deepEqual(plain(snapshots[w]!), expected(seen, spec, checkAtMs), `window ${w}`);
        assert.equal(snapshots[w]!.endMs, checkAtMs);
      });
    }
  });

  it('empties a window once all its sub-windows have slid out', () => {
    const state = FeatureWindows.create(reference, t0, specs);
    state.updateNumbers([1, 2, 3], t0);
    const [short, , long] = state.snapshot(t0 + 70_000) as NumericWindowSnapshot[];
    assert.equal(short!.n, 0);
    assert.equal(long!.n, 3);
    const later = state.snapshot(t0 + 2 * 3600_000) as NumericWindowSnapshot[];
    assert.deepEqual(
      later.map((s) => s.n),
      [0, 0, 0],
    );
  });

  it('counts nulls, unseen categories and values of the wrong type for categorical features', () => {
    const ref = categoricalReferenceFromValues(['a', 'b', 'b']);
    const state = FeatureWindows.create(ref, t0, specs);
    for (const v of ['a', 'b', 'zz', null, undefined, 7, { x: 1 }]) state.update(v, t0 + 1);
    const [snap] = state.snapshot(t0 + 2);
    assert.ok(snap?.kind === 'categorical');
    assert.deepEqual(Array.from(snap.counts), [1, 1, 2]);
    assert.equal(snap.unseenCount, 2);
    assert.equal(snap.n, 4);
    assert.equal(snap.nullCount, 2);
    assert.equal(snap.invalidCount, 1);
  });

  it('keeps memory and serialised size fixed whatever the traffic', () => {
    const state = FeatureWindows.create(reference, t0, specs);
    const before = state.byteSize();
    const next = rng(3);
    let atMs = t0;
    for (let i = 0; i < 500_000; i++) {
      atMs += 15;
      state.updateNumber(next() * 100, atMs);
    }
    assert.equal(state.byteSize(), before);
    const slots = specs.reduce((n, s) => n + s.windowSeconds / s.subWindowSeconds, 0);
    const cells = reference.fineEdges.length + 5;
    // header + at most 8 bytes per count (counts < 2^48)
    assert.ok(serializeWindowState(state).length <= 64 + 8 * cells * (slots + 1));
  });

  it('rejects window specs that do not divide', () => {
    assert.throws(
      () => FeatureWindows.create(reference, t0, [{ windowSeconds: 90, subWindowSeconds: 60 }]),
      /windowSeconds must be a multiple/,
    );
  });
});

describe('merging and restoring window states', () => {
  const list = events(2, 30_000, 2 * 3600_000);
  const endMs = list[list.length - 1]!.atMs + 1;

  it('two collectors fed halves merge into what one collector fed everything holds', () => {
    const whole = FeatureWindows.create(reference, t0, specs);
    const left = FeatureWindows.create(reference, t0, specs);
    const right = FeatureWindows.create(reference, t0 + 5000, specs);
    const pick = rng(9);
    feed(whole, list);
    for (const e of list) feed(pick() < 0.5 ? left : right, [e]);
    // right stops early: merge brings it up to the later clock first.
    const merged = mergeWindowStates(left, right);
    assert.ok(
      whole.snapshot(endMs).every((s) => s.n > 100),
      'every window holds data',
    );
    assert.deepEqual(merged.snapshot(endMs), whole.snapshot(endMs));
    assert.deepEqual(
      serializeWindowState(mergeWindowStates(right, left)),
      serializeWindowState(whole),
    );
  });

  it('refuses to merge states of another reference or other windows', () => {
    const a = FeatureWindows.create(reference, t0, specs);
    const otherRef = numericReferenceFromValues([1, 2, 3], { fineBins: 50 });
    const b = FeatureWindows.create(otherRef, t0, specs);
    const c = FeatureWindows.create(reference, t0, specs.slice(1));
    for (const other of [b, c]) {
      assert.throws(
        () => mergeWindowStates(a, other),
        (e: unknown) => e instanceof PipewatchError && e.code === 'WINDOW_STATE_INVALID',
      );
    }
  });

  it('a restored state continues exactly as if it had never stopped', () => {
    const never = FeatureWindows.create(reference, t0, specs);
    const first = FeatureWindows.create(reference, t0, specs);
    const half = Math.floor(list.length / 2);
    feed(never, list);
    feed(first, list.slice(0, half));
    const bytes = serializeWindowState(first);
    const restored = restoreWindowState(bytes, reference);
    feed(restored, list.slice(half));
    assert.deepEqual(restored.snapshot(endMs), never.snapshot(endMs));
    assert.deepEqual(serializeWindowState(restored), serializeWindowState(never));
  });

  it('rejects corrupt bytes and states of another reference', () => {
    const state = FeatureWindows.create(reference, t0, specs);
    state.updateNumbers([5, 50, 500], t0);
    const bytes = serializeWindowState(state);
    const isInvalid = (e: unknown) =>
      e instanceof PipewatchError && e.code === 'WINDOW_STATE_INVALID';
    assert.throws(() => restoreWindowState(bytes.slice(0, bytes.length - 1), reference), isInvalid);
    assert.throws(() => restoreWindowState(Uint8Array.of(1, 2, 3), reference), isInvalid);
    const other = numericReferenceFromValues([1, 2, 3], { fineBins: 50 });
    assert.throws(() => restoreWindowState(bytes, other), isInvalid);
  });
});
