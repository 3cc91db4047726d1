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
import { referenceValues } from './reference-values.js';

/** Caps of the references API: config `references` (see config/schema.ts for each default). */
/** How many coarse drift bins a reference is built with (the capture route takes it too). */
export const coarseBinCount = z.number().int('must be an integer').min(2, 'must be >= 2').max(1000);
/** How many fine bins (for the KS statistic) a numeric reference is built with. */
export const fineBinCount = z.number().int('must be an integer').min(10, 'must be >= 10').max(5000);

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

/**
 * The register body's structure, as the route schema (so the OpenAPI document shows it): no
 * coercion, unknown fields refused, caps applied. Which source is given and whether it makes
 * a valid reference is `referenceFromBody`'s judgement (REFERENCE_INVALID).
 */
export function registerBodySchema(limits: ReferenceLimits) {
  const capped = `(the cap, references.maxCategories = ${limits.maxCategories})`;
  return z
    .object({
      topic: topicName.describe('the Kafka topic the feature is read from'),
      feature: featureName.describe('the field name or dotted path into the record value'),
      kind: z
        .enum(['numeric', 'categorical'])
        .optional()
        .describe('inferred from the data when absent; given, it must match'),
      values: referenceValues(limits.maxValues)
        .optional()
        .describe(
          `raw values (at most references.maxValues, here ${limits.maxValues}): numbers for a numeric feature, strings for a categorical one, null for missing`,
        ),
      histogram: z
        .object({
          edges: numberList
            .optional()
            .describe('numeric: ascending bin edges; counts has one more entry (outer bins)'),
          categories: z
            .array(z.string())
            .max(limits.maxCategories, `must hold at most ${limits.maxCategories} ${capped}`)
            .optional()
            .describe('categorical: the categories, one count each'),
          counts: z
            .array(finite)
            .max(Math.max(maxSummaryPoints, limits.maxCategories))
            .describe('counts per bin or category (non-negative)'),
          nullCount: count.optional().describe('missing values (a count)'),
        })
        .strict()
        .optional()
        .describe('a binned summary: edges (numeric) or categories (categorical) with counts'),
      quantiles: z
        .object({
          probabilities: numberList.describe('ascending probabilities in [0, 1]'),
          values: numberList.describe('the quantile values, one per probability'),
          n: finite.positive('must be > 0').describe('how many values were summarised (a count)'),
          nullCount: count.optional().describe('missing values (a count)'),
        })
        .strict()
        .optional()
        .describe('a numeric summary by quantiles'),
      bins: coarseBinCount
        .optional()
        .describe('coarse drift bins to build (a count; not for histograms or categories)'),
      fineBins: fineBinCount
        .optional()
        .describe('fine bins for the KS statistic (a count; numeric raw values only)'),
    })
    .strict()
    .describe('Exactly one of values, histogram or quantiles, for one (topic, feature)');
}

export type RegisterBody = z.output<ReturnType<typeof registerBodySchema>>;

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
