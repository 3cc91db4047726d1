/**
 * What the references routes answer, as response schemas (the OpenAPI document shows them, and
 * with PIPEWATCH_TEST_CHECK_RESPONSES every answer is checked against them). Each is typed against
 * the store's own types, so a field the store adds or renames fails to compile here.
 */
import { z } from 'zod';
import { nextOffset } from './request.js';
import type { FeatureReferenceJson } from '../../detectors/index.js';
import type { InvalidReference, ReferenceSummary, StoredReference } from '../../store/index.js';

const count = (what: string) => z.number().describe(`${what} (a count)`);

const numericReference = z
  .object({
    kind: z.literal('numeric'),
    edges: z
      .array(z.number())
      .describe('coarse bin edges; bins are (-inf, e1), ..., [e_last, +inf)'),
    counts: z.array(z.number()).describe('reference counts per coarse bin (one more than edges)'),
    fineEdges: z.array(z.number()).describe('fine bin edges (for the KS statistic)'),
    fineCounts: z.array(z.number()).describe('reference counts per fine bin'),
    min: z.number().describe('smallest reference value'),
    max: z.number().describe('largest reference value'),
    n: count('non-null reference values'),
    nullCount: count('null reference values'),
  })
  .strict();

const categoricalReference = z
  .object({
    kind: z.literal('categorical'),
    categories: z.array(z.string()).describe('the reference categories'),
    counts: z.array(z.number()).describe('reference counts per category'),
    n: count('non-null reference values'),
    nullCount: count('null reference values'),
  })
  .strict();

const referenceJson: z.ZodType<FeatureReferenceJson> = z
  .discriminatedUnion('kind', [numericReference, categoricalReference])
  .describe('the frozen reference distribution');

const summaryFields = {
  topic: z.string().describe('Kafka topic'),
  feature: z.string().describe('feature (field name or dotted path)'),
  version: z.number().int().describe('1, 2, ... per (topic, feature); never reused'),
  kind: z.enum(['numeric', 'categorical']),
  source: z
    .enum(['values', 'histogram', 'quantiles', 'capture'])
    .describe('how the reference was built'),
  createdAtMs: z.number().describe('when it was registered (epoch ms)'),
  n: count('non-null values'),
  nullCount: count('null values'),
  bins: count('coarse bins (numeric) or categories (categorical)'),
  details: z
    .record(z.unknown())
    .describe('provenance: requested bins, capture range (fromMs, toMs), records read'),
};

export const referenceSummaryBody: z.ZodType<ReferenceSummary> = z
  .object(summaryFields)
  .strict()
  .describe('One stored reference version, without its distribution');

/** What `presentReference` answers: the summary and the distribution. */
export const storedReferenceBody: z.ZodType<
  Omit<StoredReference, 'reference'> & { reference: FeatureReferenceJson }
> = z
  .object({ ...summaryFields, reference: referenceJson })
  .strict()
  .describe('A stored reference version with its distribution');

const invalidReference: z.ZodType<InvalidReference> = z
  .object({
    topic: z.string(),
    feature: z.string(),
    version: z.number().int(),
    error: z.string().describe('why the stored row no longer validates, naming the field'),
  })
  .strict();

export const referenceListBody = z
  .object({
    references: z.array(referenceSummaryBody).describe('this page, by topic, feature, version'),
    invalid: z
      .array(invalidReference)
      .describe('stored rows that no longer validate (not references; delete or replace them)'),
    nextOffset,
  })
  .strict()
  .describe('Stored reference versions, one page');

export const referenceDeleteBody = z
  .object({ deleted: count('versions deleted') })
  .strict()
  .describe('How many versions were deleted');
