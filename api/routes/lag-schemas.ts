/**
 * Response schemas of the lag views (/api/v1/pipelines, /api/v1/groups): the shapes of
 * monitor/lag/views.ts, written once for the document and the answer check. Each is tied to
 * its view type with `satisfies`, so a field added to a view without its schema fails tsc.
 */
import { z } from 'zod';
import { GROUP_STATUSES } from '../../detectors/index.js';
import type {
  CollectorHealthView,
  GroupLagView,
  LagPipeline,
  PartitionLagView,
} from '../../monitor/index.js';

export const groupStatus = z
  .enum(GROUP_STATUSES)
  .nullable()
  .describe('consumer-group status (Burrow-style rules); null: not judged yet (never committed)');
export const decidingRule = z
  .string()
  .nullable()
  .describe('name of the status rule that decided the status (docs/lag.md); null with no status');
const count = (what: string) => z.number().int().nonnegative().describe(what);
const seconds = (what: string) => z.number().describe(`${what}, seconds`);

export const lagPipeline = z
  .object({
    name: z.string().describe('pipeline name (config `pipelines`)'),
    rawTopics: z.array(z.string()).readonly().describe('raw topics the pipeline reads'),
    featureTopics: z.array(z.string()).readonly().describe('feature topics the pipeline writes'),
    dlqTopics: z.array(z.string()).readonly().describe('dead-letter topics'),
    groups: z
      .array(z.string())
      .readonly()
      .describe('configured consumer groups (discovered ones excluded)'),
    freshnessTargetSeconds: seconds('freshness target of the pipeline'),
  })
  .strict() satisfies z.ZodType<LagPipeline>;

export const partitionLag = z
  .object({
    topic: z.string(),
    partition: count('partition number'),
    committedOffset: count('offset committed by the group; null: never committed').nullable(),
    endOffset: count('log end offset (high watermark)'),
    logStartOffset: count('first offset still in the log'),
    lagMessages: count(
      'offset lag, messages (transaction markers stepped over); null: never committed',
    ).nullable(),
    staleness: z
      .object({
        seconds: seconds('age of the record at the committed offset, computed at the request'),
        method: z.literal('exact').describe('read from the record timestamp'),
        recordOffset: count('offset of the record read; null when caught up').nullable(),
        recordTimestampMs: z
          .number()
          .nullable()
          .describe('timestamp of that record, ms since the epoch; null when caught up'),
      })
      .strict()
      .nullable()
      .describe('exact staleness; null: not read (never committed or not polled)'),
    timeLag: z
      .object({
        seconds: seconds('estimated time lag'),
        method: z
          .enum(['interpolated', 'extrapolated'])
          .describe('how it was estimated from the end-offset table'),
        errorSeconds: seconds('bound of the estimate error'),
      })
      .strict()
      .nullable()
      .describe('time lag estimated from end offsets; null: not enough samples'),
    status: groupStatus,
    rule: decidingRule,
    messagesLost: count('messages deleted by retention before the group read them'),
    producerIdleSeconds: seconds('time since the end offset last moved')
      .nullable()
      .describe('time since the end offset last moved, seconds; null: unknown'),
    consumeRatePerSecond: z
      .number()
      .nullable()
      .describe('records per second committed by the group over the rate window; null: unknown'),
    produceRatePerSecond: z
      .number()
      .nullable()
      .describe('records per second appended by producers over the rate window; null: unknown'),
  })
  .strict() satisfies z.ZodType<PartitionLagView>;

export const groupLag = z
  .object({
    pipeline: z.string().describe('pipeline the group belongs to'),
    group: z.string().describe('consumer group id'),
    polled: z.boolean().describe("false: the last poll could not read the group's offsets"),
    discovered: z.boolean().describe('true: found by listing groups, not configured'),
    status: groupStatus,
    rule: decidingRule,
    worstPartition: z
      .object({ topic: z.string(), partition: count('partition number') })
      .strict()
      .nullable()
      .describe('the partition that decided the status; null with no status'),
    lagMessages: count('offset lag summed over partitions, messages; null: unknown').nullable(),
    maxStalenessSeconds: seconds('largest exact staleness of a partition')
      .nullable()
      .describe('largest exact staleness of a partition, seconds; null: unknown'),
    drainSeconds: z
      .record(z.number())
      .describe('estimated seconds to drain the lag, by topic (at the current rates)'),
    polledAtMs: z
      .number()
      .nullable()
      .describe('when the offsets were read, ms since the epoch; null: never'),
    partitions: z.array(partitionLag).readonly(),
  })
  .strict() satisfies z.ZodType<GroupLagView>;

export const collectorHealth = z
  .object({
    lastPollAtMs: z
      .number()
      .nullable()
      .describe('when the last poll finished, ms since the epoch; null: none yet'),
    lastPollSeconds: seconds('duration of the last poll')
      .nullable()
      .describe('duration of the last poll, seconds; null: none yet'),
    groupDiscovery: z
      .enum(['listgroups', 'configured-only'])
      .describe('how groups are found: listed on the cluster, or only the configured ones'),
    errors: z.record(count('errors')).describe('collector errors since start, count by operation'),
  })
  .strict()
  .describe('health of the offsets collector') satisfies z.ZodType<CollectorHealthView>;
