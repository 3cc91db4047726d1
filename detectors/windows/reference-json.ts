/**
 * Plain-JSON form of a frozen reference (what the store keeps and the API returns), and a
 * fingerprint that window states carry so counts binned against other edges never mix.
 */
import { PipewatchError } from '../../common/index.js';
import type { CategoricalReference, FeatureReference, NumericReference } from './reference.js';

export interface NumericReferenceJson {
  readonly kind: 'numeric';
  readonly edges: number[];
  readonly counts: number[];
  readonly fineEdges: number[];
  readonly fineCounts: number[];
  readonly min: number;
  readonly max: number;
  readonly n: number;
  readonly nullCount: number;
}

export interface CategoricalReferenceJson {
  readonly kind: 'categorical';
  readonly categories: string[];
  readonly counts: number[];
  readonly n: number;
  readonly nullCount: number;
}

export type FeatureReferenceJson = NumericReferenceJson | CategoricalReferenceJson;

export function referenceToJson(reference: FeatureReference): FeatureReferenceJson {
  if (reference.kind === 'categorical') {
    return {
      kind: 'categorical',
      categories: [...reference.categories],
      counts: Array.from(reference.counts),
      n: reference.n,
      nullCount: reference.nullCount,
    };
  }
  return {
    kind: 'numeric',
    edges: Array.from(reference.edges),
    counts: Array.from(reference.counts),
    fineEdges: Array.from(reference.fineEdges),
    fineCounts: Array.from(reference.fineCounts),
    min: reference.min,
    max: reference.max,
    n: reference.n,
    nullCount: reference.nullCount,
  };
}

function bad(field: string, message: string): PipewatchError {
  return new PipewatchError('REFERENCE_INVALID', `reference.${field} ${message}`, {
    field: `reference.${field}`,
  });
}

function finiteNumbers(value: unknown, field: string, length?: number): number[] {
  if (!Array.isArray(value)) throw bad(field, 'must be an array of finite numbers');
  value.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw bad(`${field}[${i}]`, `must be a finite number, got ${JSON.stringify(x) ?? String(x)}`);
    }
  });
  if (length !== undefined && value.length !== length) {
    throw bad(field, `must hold ${length} numbers, got ${value.length}`);
  }
  return value as number[];
}

function ascending(edges: ArrayLike<number>, field: string): void {
  for (let i = 1; i < edges.length; i++) {
    if (!((edges[i] as number) > (edges[i - 1] as number))) {
      throw bad(`${field}[${i}]`, 'must be greater than the edge before it');
    }
  }
}

/** Non-negative finite counts whose sum is finite and matches n (summaries give fractions). */
function checkCounts(counts: ArrayLike<number>, field: string, n: number): void {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (!Number.isFinite(c) || c < 0) throw bad(`${field}[${i}]`, `must be >= 0, got ${c}`);
    sum += c;
  }
  if (!Number.isFinite(sum)) throw bad(field, 'must have a finite sum');
  if (!(Math.abs(sum - n) <= 1e-6 * n)) throw bad(field, `must sum to n = ${n}, got ${sum}`);
}

function checkScalar(value: unknown, field: string, rule: 'positive' | 'count'): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (rule === 'positive' ? value > 0 : Number.isInteger(value) && value >= 0);
  if (!ok) {
    const wanted = rule === 'positive' ? 'a finite number > 0' : 'an integer >= 0';
    throw bad(field, `must be ${wanted}, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * Every invariant a frozen reference must hold, checked once for both directions: the
 * builders run it before they hand a reference out (so nothing invalid is ever stored) and
 * `referenceFromJson` runs it on what it reads back. Rejects non-finite numbers (JSON would
 * store them as null), a value range whose width overflows, counts that do not sum to n,
 * unordered edges and repeated categories; errors name the field.
 */
export function validateReference(reference: FeatureReference): FeatureReference {
  const n = checkScalar(reference.n, 'n', 'positive');
  checkScalar(reference.nullCount, 'nullCount', 'count');
  if (reference.kind === 'categorical') {
    const { categories, counts } = reference;
    if (categories.length === 0) throw bad('categories', 'must hold at least one category');
    const seen = new Set<string>();
    categories.forEach((c, i) => {
      if (typeof c !== 'string') throw bad(`categories[${i}]`, 'must be a string');
      if (seen.has(c)) throw bad(`categories[${i}]`, `repeats ${JSON.stringify(c)}`);
      seen.add(c);
    });
    if (counts.length !== categories.length) {
      throw bad('counts', `must hold ${categories.length} counts, got ${counts.length}`);
    }
    checkCounts(counts, 'counts', n);
    return reference;
  }
  const { edges, fineEdges, counts, fineCounts, min, max } = reference;
  finiteNumbers(Array.from(edges), 'edges');
  finiteNumbers(Array.from(fineEdges), 'fineEdges');
  ascending(edges, 'edges');
  ascending(fineEdges, 'fineEdges');
  const fine = new Set(fineEdges);
  edges.forEach((e, i) => {
    if (!fine.has(e)) throw bad(`edges[${i}]`, 'is a coarse edge that is not a fine edge');
  });
  if (counts.length !== edges.length + 1) {
    throw bad('counts', `must hold ${edges.length + 1} counts, got ${counts.length}`);
  }
  if (fineCounts.length !== fineEdges.length + 1) {
    throw bad('fineCounts', `must hold ${fineEdges.length + 1} counts, got ${fineCounts.length}`);
  }
  checkCounts(counts, 'counts', n);
  checkCounts(fineCounts, 'fineCounts', n);
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min <= max)) {
    throw bad('min', `must be finite and <= max (min ${min}, max ${max})`);
  }
  // Binning and distances subtract values: a range wider than the largest double overflows.
  if (!Number.isFinite(max - min)) {
    throw bad('max', `minus min must be finite (min ${min}, max ${max}): the range overflows`);
  }
  return reference;
}

/** Parses the JSON form and checks it with `validateReference` (no coercion of any field). */
export function referenceFromJson(json: unknown): FeatureReference {
  const r = json as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object' || Array.isArray(r)) {
    throw new PipewatchError('REFERENCE_INVALID', 'reference must be an object', {
      field: 'reference',
    });
  }
  const n = checkScalar(r.n, 'n', 'positive');
  const nullCount = checkScalar(r.nullCount, 'nullCount', 'count');
  if (r.kind === 'categorical') {
    const categories = r.categories;
    if (!Array.isArray(categories)) throw bad('categories', 'must be an array of strings');
    categories.forEach((c, i) => {
      if (typeof c !== 'string') throw bad(`categories[${i}]`, 'must be a string');
    });
    const reference: CategoricalReference = {
      kind: 'categorical',
      categories: Object.freeze([...(categories as string[])]),
      counts: Float64Array.from(finiteNumbers(r.counts, 'counts', categories.length)),
      n,
      nullCount,
    };
    return Object.freeze(validateReference(reference));
  }
  if (r.kind !== 'numeric') throw bad('kind', 'must be numeric or categorical');
  const edges = Float64Array.from(finiteNumbers(r.edges, 'edges'));
  const fineEdges = Float64Array.from(finiteNumbers(r.fineEdges, 'fineEdges'));
  const reference: NumericReference = {
    kind: 'numeric',
    edges,
    counts: Float64Array.from(finiteNumbers(r.counts, 'counts', edges.length + 1)),
    fineEdges,
    fineCounts: Float64Array.from(finiteNumbers(r.fineCounts, 'fineCounts', fineEdges.length + 1)),
    min: checkFinite(r.min, 'min'),
    max: checkFinite(r.max, 'max'),
    n,
    nullCount,
  };
  return Object.freeze(validateReference(reference));
}

function checkFinite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw bad(field, `must be a finite number, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/** FNV-1a (32 bit) over the bin definition: equal fingerprints mean the same bins. */
export function referenceFingerprint(reference: FeatureReference): number {
  let hash = 0x811c9dc5;
  const mix = (byte: number) => {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  };
  const mixString = (s: string) => {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      mix(c & 0xff);
      mix(c >>> 8);
    }
    mix(0);
  };
  mixString(reference.kind);
  if (reference.kind === 'categorical') {
    for (const c of reference.categories) mixString(c);
    return hash;
  }
  const lists = [
    reference.edges,
    reference.fineEdges,
    Float64Array.of(reference.min, reference.max),
  ];
  for (const list of lists) {
    const bytes = new Uint8Array(list.buffer, list.byteOffset, list.byteLength);
    for (const b of bytes) mix(b);
    mix(0xff);
  }
  return hash;
}
