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

/** Largest accepted registration body: about 5 M raw values. */
export const registerBodyLimitBytes = 64 * 1024 * 1024;

const numberArray = { type: 'array', items: { type: 'number' } } as const;
export const name = { type: 'string', minLength: 1, maxLength: 249 } as const;

// Fastify's default Ajv removes properties that `additionalProperties: false` forbids instead of
// rejecting them, so unknown fields are refused in `checkFields` with a clear reason.
export const registerBody = {
  type: 'object',
  required: ['topic', 'feature'],
  properties: {
    topic: { ...name, pattern: '^[a-zA-Z0-9._-]+$' },
    feature: name,
    kind: { type: 'string', enum: ['numeric', 'categorical'] },
    values: { type: 'array', minItems: 1, items: { type: ['number', 'string', 'null'] } },
    histogram: {
      type: 'object',
      required: ['counts'],
      properties: {
        edges: numberArray,
        categories: { type: 'array', items: { type: 'string' } },
        counts: numberArray,
        nullCount: { type: 'integer', minimum: 0 },
      },
    },
    quantiles: {
      type: 'object',
      required: ['probabilities', 'values', 'n'],
      properties: {
        probabilities: numberArray,
        values: numberArray,
        n: { type: 'number', exclusiveMinimum: 0 },
        nullCount: { type: 'integer', minimum: 0 },
      },
    },
    bins: { type: 'integer', minimum: 2, maximum: 1000 },
    fineBins: { type: 'integer', minimum: 10, maximum: 5000 },
  },
} as const;

export interface RegisterBody {
  topic: string;
  feature: string;
  kind?: 'numeric' | 'categorical';
  values?: (number | string | null)[];
  histogram?: { edges?: number[]; categories?: string[]; counts: number[]; nullCount?: number };
  quantiles?: { probabilities: number[]; values: number[]; n: number; nullCount?: number };
  bins?: number;
  fineBins?: number;
}

const allowedFields: Record<string, readonly string[]> = {
  body: Object.keys(registerBody.properties),
  'body/histogram': Object.keys(registerBody.properties.histogram.properties),
  'body/quantiles': Object.keys(registerBody.properties.quantiles.properties),
};

function badBody(path: string, message: string): PipewatchError {
  return new PipewatchError('REFERENCE_INVALID', `${path} ${message}`, { field: path });
}

function checkFields(where: string, value: object | undefined): void {
  if (value === undefined) return;
  const allowed = allowedFields[where]!;
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw badBody(`${where}/${key}`, `is not a known field (known: ${allowed.join(', ')})`);
    }
  }
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

/** Turns a request body into a frozen reference; every rejection names the field at fault. */
export function referenceFromBody(body: RegisterBody): {
  reference: FeatureReference;
  source: ReferenceSource;
  details: Record<string, unknown>;
} {
  checkFields('body', body);
  checkFields('body/histogram', body.histogram);
  checkFields('body/quantiles', body.quantiles);
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
    const reference = build(body, kind, source);
    const details: Record<string, unknown> = {};
    if (body.bins !== undefined) details.bins = body.bins;
    if (body.fineBins !== undefined) details.fineBins = body.fineBins;
    return { reference, source, details };
  } catch (error) {
    const field = isPipewatchError(error) ? error.details.field : undefined;
    if (isPipewatchError(error) && typeof field === 'string' && !field.startsWith('body')) {
      // Builder fields read "histogram.counts[3]"; answer in the API's "body/histogram/counts/3".
      const path = `body/${field.replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/')}`;
      throw badBody(path, error.message.slice(field.length).trim());
    }
    throw error;
  }
}

function build(
  body: RegisterBody,
  kind: 'numeric' | 'categorical',
  source: ReferenceSource,
): FeatureReference {
  const bins = { bins: body.bins, fineBins: body.fineBins };
  if (source === 'values') {
    const values = body.values!;
    checkValueTypes(values, kind);
    return kind === 'numeric'
      ? numericReferenceFromValues(values as (number | null)[], bins)
      : categoricalReferenceFromValues(values as (string | null)[]);
  }
  if (source === 'quantiles') return numericReferenceFromQuantiles(body.quantiles!, bins);
  const histogram = body.histogram!;
  if (kind === 'categorical') {
    if (histogram.edges) throw badBody('body/histogram/edges', 'does not apply to categories');
    return categoricalReferenceFromCounts({ ...histogram, categories: histogram.categories! });
  }
  if (!histogram.edges) throw badBody('body/histogram/edges', 'is required for a numeric feature');
  return numericReferenceFromHistogram({ ...histogram, edges: histogram.edges });
}

export function presentReference(stored: StoredReference) {
  return { ...stored, reference: referenceToJson(stored.reference) };
}
