/**
 * Merge and a compact binary form of window states. The binary form is what collectors
 * exchange (e.g. on a compacted topic) and persist to restore after a restart:
 *
 *   "PWDW" | format u8 (1) | kind u8 (0 numeric, 1 categorical) | fingerprint u32 | cells u32
 *   | windows u16 | per window: windowSeconds u32, subWindowSeconds u32, head f64
 *   | createdMs f64 | pendingStartMs f64 | counts (pending, then every ring slot)
 *
 * Counts are non-negative integers written as LEB128 tokens: 2v for a count v > 0, 2r + 1 for
 * a run of r zeros, so an idle state is a few bytes and a full one about (slots x cells) bytes.
 * All integers are little-endian.
 */
import { PipewatchError } from '../../common/index.js';
import type { FeatureReference } from './reference.js';
import { referenceFingerprint } from './reference-json.js';
import { FeatureWindows, type WindowSpec } from './window-state.js';

const magic = [0x50, 0x57, 0x44, 0x57]; // "PWDW"
const formatVersion = 1;
const maxWindows = 64;
const maxSlotsPerWindow = 10_000;

function invalid(message: string): PipewatchError {
  return new PipewatchError('WINDOW_STATE_INVALID', message);
}

function sameSpecs(a: readonly WindowSpec[], b: readonly WindowSpec[]): boolean {
  return (
    a.length === b.length &&
    a.every(
      (s, i) =>
        s.windowSeconds === b[i]!.windowSeconds && s.subWindowSeconds === b[i]!.subWindowSeconds,
    )
  );
}

/**
 * Sum of two states of the same reference and window specs: what one collector fed both
 * streams would hold. Both are first advanced (on copies) to the later of their clocks.
 */
export function mergeWindowStates(a: FeatureWindows, b: FeatureWindows): FeatureWindows {
  if (a.fingerprint !== b.fingerprint) {
    throw invalid(
      `cannot merge window states of different references (bins fingerprint ${a.fingerprint} vs ${b.fingerprint})`,
    );
  }
  if (!sameSpecs(a.specs, b.specs)) {
    throw invalid('cannot merge window states with different window specs');
  }
  const clockMs = Math.max(a.clockMs, b.clockMs);
  const merged = a.clone();
  const other = b.clone();
  merged.advance(clockMs);
  other.advance(clockMs);
  merged.addCounts(other);
  return merged;
}

class Writer {
  private readonly bytes: number[] = [];
  private readonly scratch = new DataView(new ArrayBuffer(8));

  u8(v: number) {
    this.bytes.push(v);
  }
  u16(v: number) {
    this.scratch.setUint16(0, v, true);
    this.copy(2);
  }
  u32(v: number) {
    this.scratch.setUint32(0, v, true);
    this.copy(4);
  }
  f64(v: number) {
    this.scratch.setFloat64(0, v, true);
    this.copy(8);
  }
  varint(v: number) {
    while (v >= 128) {
      this.bytes.push((v % 128) | 0x80);
      v = Math.floor(v / 128);
    }
    this.bytes.push(v);
  }
  counts(values: Float64Array) {
    let zeros = 0;
    for (const v of values) {
      if (v === 0) {
        zeros++;
        continue;
      }
      if (zeros > 0) this.varint(2 * zeros + 1);
      zeros = 0;
      this.varint(2 * v);
    }
    if (zeros > 0) this.varint(2 * zeros + 1);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
  private copy(n: number) {
    for (let i = 0; i < n; i++) this.bytes.push(this.scratch.getUint8(i));
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(n: number) {
    if (this.offset + n > this.bytes.length) throw invalid('window state bytes are truncated');
  }
  u8() {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }
  u16() {
    this.need(2);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }
  u32() {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }
  f64() {
    this.need(8);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }
  varint() {
    let v = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
      if (scale > 2 ** 56) throw invalid('window state holds a malformed count');
    }
  }
  counts(into: Float64Array) {
    let i = 0;
    while (i < into.length) {
      const token = this.varint();
      if (token % 2 === 0) into[i++] = token / 2;
      else {
        const run = (token - 1) / 2;
        if (run === 0 || i + run > into.length) throw invalid('window state counts overrun');
        i += run; // already zero
      }
    }
  }
  end() {
    if (this.offset !== this.bytes.length) throw invalid('window state has trailing bytes');
  }
}

export function serializeWindowState(state: FeatureWindows): Uint8Array {
  const parts = state.parts();
  const w = new Writer();
  for (const b of magic) w.u8(b);
  w.u8(formatVersion);
  w.u8(state.reference.kind === 'numeric' ? 0 : 1);
  w.u32(state.fingerprint);
  w.u32(state.cellCount);
  w.u16(parts.specs.length);
  parts.specs.forEach((spec, i) => {
    w.u32(spec.windowSeconds);
    w.u32(spec.subWindowSeconds);
    w.f64(parts.heads[i]!);
  });
  w.f64(parts.createdMs);
  w.f64(parts.pendingStartMs);
  w.counts(parts.pending);
  w.counts(parts.slots);
  return w.finish();
}

/** Restores a state serialised against `reference`; it continues exactly where it stopped. */
export function restoreWindowState(bytes: Uint8Array, reference: FeatureReference): FeatureWindows {
  const r = new Reader(bytes);
  if (!magic.every((b) => r.u8() === b)) throw invalid('not a pipewatch window state');
  const format = r.u8();
  if (format !== formatVersion) throw invalid(`unknown window state format ${format}`);
  const kind = r.u8() === 0 ? 'numeric' : 'categorical';
  const fingerprint = r.u32();
  if (kind !== reference.kind || fingerprint !== referenceFingerprint(reference)) {
    throw invalid('window state was built against another reference (bins differ)');
  }
  const cells = r.u32();
  const expectedCells =
    reference.kind === 'numeric' ? reference.fineEdges.length + 5 : reference.categories.length + 3;
  if (cells !== expectedCells)
    throw invalid(`window state has ${cells} cells, expected ${expectedCells}`);
  const windowCount = r.u16();
  if (windowCount > maxWindows) throw invalid(`window state has ${windowCount} windows`);
  const specs: WindowSpec[] = [];
  const heads = new Float64Array(windowCount);
  let slotCount = 0;
  for (let i = 0; i < windowCount; i++) {
    const windowSeconds = r.u32();
    const subWindowSeconds = r.u32();
    specs.push({ windowSeconds, subWindowSeconds });
    heads[i] = r.f64();
    if (subWindowSeconds === 0 || windowSeconds / subWindowSeconds > maxSlotsPerWindow) {
      throw invalid(`window ${i} has bad lengths ${windowSeconds} s by ${subWindowSeconds} s`);
    }
    slotCount += Math.floor(windowSeconds / subWindowSeconds);
  }
  const createdMs = r.f64();
  const pendingStartMs = r.f64();
  const pending = new Float64Array(cells);
  const slots = new Float64Array(slotCount * cells);
  r.counts(pending);
  r.counts(slots);
  r.end();
  try {
    return FeatureWindows.fromParts(reference, {
      specs,
      createdMs,
      pendingStartMs,
      heads,
      pending,
      slots,
    });
  } catch (error) {
    if (error instanceof PipewatchError) throw error;
    throw invalid(`window state is inconsistent: ${(error as Error).message}`);
  }
}
