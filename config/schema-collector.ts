import { z } from 'zod';

/**
 * The observers' sections of the configuration (the collector's tap and offsets poller, the DLQ,
 * drift and reference settings), strict like the rest of config/schema.ts.
 */

const wireTopicSection = z
  .object({
    /** `avro`: Confluent wire format (magic byte, schema id, Avro); `json`: a UTF-8 JSON object. */
    format: z.enum(['avro', 'json']),
    /** Registry subject of the values. Default `<topic>-value` (Confluent's TopicNameStrategy). */
    subject: z.string().min(1).optional(),
  })
  .strict();

/** The consumer-group offsets poller and the lag and status detectors (docs/lag.md). */
const offsetsSection = z
  .object({
    /**
     * Period of one poll of committed, end and log start offsets, in seconds. Default 10 (as
     * Burrow); the interpolated time lag's error bound is about one period.
     */
    pollIntervalSeconds: z.number().positive().max(3600).default(10),
    /** (end offset, time seen) samples kept per partition. Default 1000 (as Datadog). */
    historyPoints: z.number().int().min(2).max(100_000).default(1000),
    /** Longest extrapolated time lag below the oldest sample, in seconds. Default 600. */
    extrapolationCapSeconds: z.number().positive().default(600),
    /** Window the status rules judge (STALL, WARN, PRODUCER_IDLE, REWIND), in seconds. Default 60. */
    statusWindowSeconds: z.number().positive().default(60),
    /** No progress under lag for this long is STOP instead of STALL, in seconds. Default 300. */
    stopAfterSeconds: z.number().positive().default(300),
    /** Window of the consume and produce rates (time to drain), in seconds. Default 60. */
    rateWindowSeconds: z.number().positive().default(60),
    /** Longest wait for one set of record-at-committed-offset reads, in ms. Default 5000. */
    recordReadTimeoutMs: z.number().int().positive().default(5000),
    /** Period of saving the offset/time tables to SQLite, in seconds (and at shutdown). Default 60. */
    persistIntervalSeconds: z.number().positive().default(60),
    discovery: z
      .object({
        /** List the cluster's groups (ListGroups) and watch those on a pipeline's topics. Default true. */
        enabled: z.boolean().default(true),
        /** Period of discovery, in seconds. Default 60. */
        intervalSeconds: z.number().positive().default(60),
        /** A discovered group is watched when its id matches this regex. Default `.*`. */
        allow: z
          .string()
          .default('.*')
          .refine(isRegex, { message: 'not a valid regular expression' }),
        /** ... and does not match this one. Default unset (nothing denied). */
        deny: z.string().refine(isRegex, { message: 'not a valid regular expression' }).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine((o) => o.stopAfterSeconds >= o.statusWindowSeconds, {
    message: 'stopAfterSeconds must be >= statusWindowSeconds',
    path: ['stopAfterSeconds'],
  });

function isRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export const collectorSection = z
  .object({
    /**
     * Expected value format per watched topic. A topic not listed is Confluent Avro under
     * `<topic>-value`. Default {} (the reference pipeline's topics are all Avro).
     */
    topicFormats: z.record(z.string().min(1), wireTopicSection).default({}),
    /** Timeout of one schema registry request, in milliseconds. Default 2000. */
    registryTimeoutMs: z.number().int().positive().default(2000),
    /** How long "schema id not registered" is believed before asking again, ms. Default 10000. */
    unknownSchemaIdTtlMs: z.number().int().nonnegative().default(10_000),
    /** How long a (subject, schema id) verdict is reused before asking again, ms. Default 60000. */
    schemaVerdictTtlMs: z.number().int().nonnegative().default(60_000),
    /** After a failed registry request, how long lookups answer "unavailable" first, ms. Default 1000. */
    registryRetryAfterMs: z.number().int().nonnegative().default(1000),
    /** Offending records kept per (topic, violation kind) for the API. Default 20. */
    violationSamplesPerKind: z.number().int().min(0).max(1000).default(20),
    /**
     * Publish per-partition lag, status and idle series beside the per-topic and per-group ones;
     * false keeps only the latter (for clusters with many thousands of partitions). Default true.
     */
    partitionSeries: z.boolean().default(true),
    /** Consumer-group offsets, lag and status. */
    offsets: offsetsSection.default({}),
    /** The tap (one librdkafka consumer group over every watched topic). */
    tap: z
      .object({
        /** Most records per batch; the next is fetched once one went through. Default 2000. */
        maxBatchRecords: z.number().int().positive().max(100_000).default(2000),
        /**
         * librdkafka's prefetch bound, KiB (`queued.max.messages.kbytes`; librdkafka 2.0 applies
         * it to the consumer queue): with prefetchMaxRecords it caps the tap's memory. Default
         * 65536. librdkafka 2.0's fetcher sleeps up to 1 s once a bound is reached, so a bound
         * caps the tap at about its worth of records per second (4096 KiB: ~50 k records/s).
         */
        prefetchMaxKbytes: z.number().int().min(64).max(2_097_151).default(65_536),
        /** librdkafka's prefetch bound in records (`queued.min.messages`). Default 1000000. */
        prefetchMaxRecords: z.number().int().min(1).max(10_000_000).default(1_000_000),
        /** Longest a fetch waits on the broker, ms. Default 100. */
        fetchMaxWaitMs: z.number().int().positive().max(10_000).default(100),
        /** Commit period of the tap group's offsets, ms (also at stop). Default 5000. */
        commitIntervalMs: z.number().int().positive().default(5000),
      })
      .strict()
      .default({}),
    /** Publish period of pipewatch_pipeline_freshness_seconds, ms. Default 1000. */
    freshnessIntervalMs: z.number().int().positive().max(60_000).default(1000),
  })
  .strict();

/** A sliding window of sub-window counts (drift and DLQ windows alike). */
const slidingWindow = z
  .object({
    /** Window length in seconds; a multiple of subWindowSeconds. */
    windowSeconds: z.number().int().positive(),
    /** Slide step in seconds (integer >= 1); windowSeconds / subWindowSeconds <= 10000. */
    subWindowSeconds: z.number().int().positive(),
  })
  .strict()
  .refine((w) => w.windowSeconds % w.subWindowSeconds === 0, {
    message: 'windowSeconds must be a multiple of subWindowSeconds',
  })
  .refine((w) => w.windowSeconds / w.subWindowSeconds <= 10_000, {
    message: 'at most 10000 sub-windows per window',
  });

export const dlqSection = z
  .object({
    /** DLQ ratio windows (label `5m`, `1h`, ...). Default 5 m by 10 s and 1 h by 1 min. */
    windows: z
      .array(slidingWindow)
      .min(1)
      .max(8)
      .default([
        { windowSeconds: 300, subWindowSeconds: 10 },
        { windowSeconds: 3600, subWindowSeconds: 60 },
      ])
      .refine((list) => new Set(list.map((w) => w.windowSeconds)).size === list.length, {
        message: 'window lengths must be distinct (they name the `window` label)',
      }),
    /**
     * Record timestamps further behind now than this count at now minus it (future ones at
     * now): a replayed backlog lands in its windows, a broken timestamp cannot go far. Default 300.
     */
    maxTimestampSkewSeconds: z.number().int().nonnegative().default(300),
    /** Publish period of the DLQ readings, ms. Default 5000. */
    evaluateIntervalMs: z.number().int().positive().default(5000),
    /** Period of saving the DLQ windows to SQLite, ms (also saved at shutdown). Default 60000. */
    persistIntervalMs: z.number().int().positive().default(60_000),
  })
  .strict();

export const driftSection = z
  .object({
    /** Sliding windows per watched feature. Default 5 m by 30 s, 1 h by 5 min, 24 h by 1 h. */
    windows: z
      .array(slidingWindow)
      .min(1)
      .max(8)
      .default([
        { windowSeconds: 300, subWindowSeconds: 30 },
        { windowSeconds: 3600, subWindowSeconds: 300 },
        { windowSeconds: 86_400, subWindowSeconds: 3600 },
      ]),
    /** Test level of every drift test. Default 0.05. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    /** PSI effect threshold. Default 0.1. */
    psiThreshold: z.number().nonnegative().default(0.1),
    /** JS distance (natural log) effect threshold. Default 0.1. */
    jsDistanceThreshold: z.number().nonnegative().default(0.1),
    /** KS statistic effect threshold. Default 0.1. */
    ksStatisticThreshold: z.number().nonnegative().default(0.1),
    /** Cramér's V effect threshold (categorical chi-square). Default 0.1. */
    cramersVThreshold: z.number().nonnegative().default(0.1),
    /** Metric whose verdict decides a window: `psi` or `js` (both kinds have them). Default psi. */
    decisionMetric: z.enum(['psi', 'js']).default('psi'),
    /** Consecutive drifting windows (sub-window slides) before a feature is flagged. Default 3. */
    consecutiveWindows: z.number().int().min(1).max(1000).default(3),
    /** Fewest values in a window before it is decided (readings are exported anyway). Default 500. */
    minWindowValues: z.number().int().min(1).default(500),
    /** Period of reference refresh + evaluation + gauge update, ms. Default 10000. */
    evaluateIntervalMs: z.number().int().positive().default(10_000),
    /** Period of saving window states to SQLite, ms (also saved at shutdown). Default 60000. */
    persistIntervalMs: z.number().int().positive().default(60_000),
    /**
     * Values are windowed by their record timestamp. A timestamp after now is counted at now
     * (and counted as clamped when more than this ahead); one more than the largest window plus
     * this before now is outside every window (counted as clamped, not windowed). Default 300.
     */
    maxTimestampSkewSeconds: z.number().int().min(0).max(86_400).default(300),
  })
  .strict();

/** Caps of the references API (/api/v1/references), so one request cannot exhaust the service. */
export const referencesSection = z
  .object({
    /** Most categories of a categorical reference (values, histogram or capture). Default 10000. */
    maxCategories: z.number().int().min(1).max(1_000_000).default(10_000),
    /** Most raw values in one POST /api/v1/references body. Default 1000000. */
    maxValues: z.number().int().min(1).max(50_000_000).default(1_000_000),
    /** Largest POST /api/v1/references body, in bytes. Default 33554432 (32 MiB). */
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(32 * 1024 * 1024),
    /** Captures (POST /api/v1/references/capture) running at once; more answer 429. Default 1. */
    maxConcurrentCaptures: z.number().int().min(1).max(16).default(1),
  })
  .strict();

/** Kafka's own rule for topic names: 1-249 of [a-zA-Z0-9._-], and not `.` or `..`. */
