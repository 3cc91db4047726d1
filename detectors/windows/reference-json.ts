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

function bad(message: string): PipewatchError {
  return new PipewatchError('REFERENCE_INVALID', `stored reference: ${message}`);
}

function numbers(value: unknown, field: string, length?: number): Float64Array {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw bad(`${field} must be an array of finite numbers`);
  }
  if (length !== undefined && value.length !== length) {
    throw bad(`${field} must hold ${length} numbers, got ${value.length}`);
  }
  return Float64Array.from(value as number[]);
}

function ascending(edges: Float64Array, field: string): void {
  for (let i = 1; i < edges.length; i++) {
    if (!((edges[i] as number) > (edges[i - 1] as number))) {
      throw bad(`${field} must be strictly increasing`);
    }
  }
}

/** Parses and checks the JSON form (coarse edges must be a subset of the fine edges). */
export function referenceFromJson(json: unknown): FeatureReference {
  const r = json as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object') throw bad('must be an object');
  const n = Number(r.n);
  const nullCount = Number(r.nullCount);
  if (!(n > 0) || !(nullCount >= 0)) throw bad('n must be > 0 and nullCount >= 0');
  if (r.kind === 'categorical') {
    const categories = r.categories;
    if (!Array.isArray(categories) || !categories.every((c) => typeof c === 'string')) {
      throw bad('categories must be an array of strings');
    }
    const reference: CategoricalReference = {
      kind: 'categorical',
      categories: Object.freeze(categories.map((c) => String(c))),
      counts: numbers(r.counts, 'counts', categories.length),
      n,
      nullCount,
    };
    return Object.freeze(reference);
  }
  if (r.kind !== 'numeric') throw bad(`kind must be numeric or categorical`);
  const edges = numbers(r.edges, 'edges');
  const fineEdges = numbers(r.fineEdges, 'fineEdges');
  ascending(edges, 'edges');
  ascending(fineEdges, 'fineEdges');
  const fine = new Set(fineEdges);
  if (!edges.every((e) => fine.has(e))) throw bad('every coarse edge must be a fine edge');
  const reference: NumericReference = {
    kind: 'numeric',
    edges,
    counts: numbers(r.counts, 'counts', edges.length + 1),
    fineEdges,
    fineCounts: numbers(r.fineCounts, 'fineCounts', fineEdges.length + 1),
    min: Number(r.min),
    max: Number(r.max),
    n,
    nullCount,
  };
  if (!(reference.min <= reference.max)) throw bad('min must be <= max');
  return Object.freeze(reference);
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
