import { z } from 'zod';
import { PipewatchError, isPipewatchError } from '../../common/index.js';
import {
  categoricalReferenceFromCounts,
  categoricalReferenceFromValues,
  numericReferenceFromHistogram,
  numericReferenceFromQuantiles,
  numericReferenceFromValues,
  referenceToJson,
  type FeatureReference,
} from '../../detectors/index.js';
import type { ReferenceSource, StoredReference } from '../../store/index.js';
import { featureName, topicName } from './names.js';
import { parsePart } from './request.js';

/** Caps of the references API: config `references` (see config/schema.ts for each default). */
export interface ReferenceLimits {
  readonly maxCategories: number;
  readonly maxValues: number;
  readonly maxBodyBytes: number;
  readonly maxConcurrentCaptures: number;
}

/** The config defaults, for apps built without a config (tests, embedding). */
export const defaultReferenceLimits: ReferenceLimits = Object.freeze({
  maxCategories: 10_000,
  maxValues: 1_000_000,
  maxBodyBytes: 32 * 1024 * 1024,
  maxConcurrentCaptures: 1,
});

/** Edges, counts and quantile points: the builders' own bound is 5001 (5000 fine bins). */
const maxSummaryPoints = 5001;
const finite = z.number({ invalid_type_error: 'must be a number' }).finite('must be finite');
const numberList = z.array(finite).max(maxSummaryPoints, `must hold at most ${maxSummaryPoints}`);
const count = z.number().int('must be an integer').min(0, 'must be >= 0');

function registerSchema(limits: ReferenceLimits) {
  const capped = `(the cap, references.maxCategories = ${limits.maxCategories})`;
  return z
    .object({
      topic: topicName,
      feature: featureName,
      kind: z.enum(['numeric', 'categorical']).optional(),
      // Element types are checked in one loop below: a zod union per value is slow at 10^6.
      values: z
        .array(z.unknown())
        .min(1, 'must hold at least one value')
        .max(
          limits.maxValues,
          `must hold at most ${limits.maxValues} values (the cap, references.maxValues)`,
        )
        .optional(),
      histogram: z
        .object({
          edges: numberList.optional(),
          categories: z
            .array(z.string())
            .max(limits.maxCategories, `must hold at most ${limits.maxCategories} ${capped}`)
            .optional(),
          counts: z.array(finite).max(Math.max(maxSummaryPoints, limits.maxCategories)),
          nullCount: count.optional(),
        })
        .strict()
        .optional(),
      quantiles: z
        .object({
          probabilities: numberList,
          values: numberList,
          n: finite.positive('must be > 0'),
          nullCount: count.optional(),
        })
        .strict()
        .optional(),
      bins: z.number().int('must be an integer').min(2, 'must be >= 2').max(1000).optional(),
      fineBins: z.number().int('must be an integer').min(10, 'must be >= 10').max(5000).optional(),
    })
    .strict();
}

export type RegisterBody = z.output<ReturnType<typeof registerSchema>> & {
  values?: (number | string | null)[];
};

/** The register body, strictly typed: no coercion, unknown fields refused, caps applied. */
export function parseRegisterBody(body: unknown, limits: ReferenceLimits): RegisterBody {
  const parsed = parsePart(registerSchema(limits), body, 'body');
  const values = parsed.values;
  if (values) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      const ok =
        v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
      if (!ok) {
        throw new PipewatchError(
          'BAD_REQUEST',
          `body/values/${i} must be a finite number, a string or null, got ${typeof v === 'object' ? (Array.isArray(v) ? 'an array' : 'an object') : typeof v}`,
          { field: `body/values/${i}` },
        );
      }
    }
  }
  return parsed as RegisterBody;
}

function badBody(path: string, message: string): PipewatchError {
  return new PipewatchError('REFERENCE_INVALID', `${path} ${message}`, { field: path });
}

function inferKind(body: RegisterBody): 'numeric' | 'categorical' {
  if (body.histogram) return body.histogram.categories ? 'categorical' : 'numeric';
  if (body.quantiles) return 'numeric';
  const first = body.values?.find((v) => v !== null);
  return typeof first === 'string' ? 'categorical' : 'numeric';
}

function checkValueTypes(values: (number | string | null)[], kind: string): void {
  const expected = kind === 'numeric' ? 'number' : 'string';
  const at = values.findIndex((v) => v !== null && typeof v !== expected);
  if (at >= 0) {
    throw badBody(`body/values/${at}`, `must be ${expected} or null for a ${kind} feature`);
  }
}

/** Turns a parsed body into a frozen reference; every rejection names the field at fault. */
export function referenceFromBody(
  body: RegisterBody,
  limits: Pick<ReferenceLimits, 'maxCategories'> = defaultReferenceLimits,
): {
  reference: FeatureReference;
  source: ReferenceSource;
  details: Record<string, unknown>;
} {
  const given = (['values', 'histogram', 'quantiles'] as const).filter(
    (k) => body[k] !== undefined,
  );
  if (given.length !== 1) {
    throw badBody(
      'body',
      `must hold exactly one of values, histogram, quantiles (got ${given.length})`,
    );
  }
  const source = given[0]!;
  const kind = inferKind(body);
  if (body.kind !== undefined && body.kind !== kind) {
    throw badBody('body/kind', `is ${body.kind} but the ${source} describe a ${kind} feature`);
  }
  if (body.bins !== undefined && (kind === 'categorical' || source === 'histogram')) {
    throw badBody('body/bins', `does not apply to a ${kind} ${source}: its bins are given`);
  }
  if (body.fineBins !== undefined && !(kind === 'numeric' && source === 'values')) {
    throw badBody('body/fineBins', 'applies to numeric raw values only');
  }
  try {
    const reference = build(body, kind, source, limits.maxCategories);
    const details: Record<string, unknown> = {};
    if (body.bins !== undefined) details.bins = body.bins;
    if (body.fineBins !== undefined) details.fineBins = body.fineBins;
    return { reference, source, details };
  } catch (error) {
    const field = isPipewatchError(error) ? error.details.field : undefined;
    if (isPipewatchError(error) && typeof field === 'string' && !field.startsWith('body')) {
      // Builder fields read "histogram.counts[3]"; answer in the API's "body/histogram/counts/3".
      // A field of the built reference ("reference.edges[0]") is the fault of the whole source.
      const inBody = field.startsWith('reference')
        ? `body/${source}`
        : `body/${field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}`;
      const message = field.startsWith('reference')
        ? `give an invalid reference: ${error.message}`
        : error.message.slice(field.length).trim();
      throw badBody(inBody, message);
    }
    throw error;
  }
}

function build(
  body: RegisterBody,
  kind: 'numeric' | 'categorical',
  source: ReferenceSource,
  maxCategories: number,
): FeatureReference {
  const bins = { bins: body.bins, fineBins: body.fineBins };
  if (source === 'values') {
    const values = body.values!;
    checkValueTypes(values, kind);
    return kind === 'numeric'
      ? numericReferenceFromValues(values as (number | null)[], bins)
      : categoricalReferenceFromValues(values as (string | null)[], { maxCategories });
  }
  if (source === 'quantiles') return numericReferenceFromQuantiles(body.quantiles!, bins);
  const histogram = body.histogram!;
  if (kind === 'categorical') {
    if (histogram.edges) throw badBody('body/histogram/edges', 'does not apply to categories');
    return categoricalReferenceFromCounts(
      { ...histogram, categories: histogram.categories! },
      { maxCategories },
    );
  }
  if (!histogram.edges) throw badBody('body/histogram/edges', 'is required for a numeric feature');
  return numericReferenceFromHistogram({ ...histogram, edges: histogram.edges });
}

export function presentReference(stored: StoredReference) {
  return { ...stored, reference: referenceToJson(stored.reference) };
}
