import { z } from 'zod';

/**
 * The configuration schema. Every section is strict: an unknown key is an error naming it.
 * Units are in the key names; defaults are documented next to each key.
 */
const port = z.number().int().min(0).max(65535);

const kafkaSection = z
  .object({
    /** Bootstrap servers. Empty (the default) starts the embedded in-process mock cluster. */
    brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).default([]),
    /** Kafka client id used by every pipewatch client. Default `pipewatch`. */
    clientId: z.string().min(1).default('pipewatch'),
    /** Number of brokers of the embedded mock cluster. Default 3. */
    embeddedBrokerCount: z.number().int().min(1).max(9).default(3),
    /** Per-request timeout in milliseconds. Default 30000. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** Time to wait for the first broker answer at start-up, in milliseconds. Default 10000. */
    connectTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

const httpSection = z
  .object({
    /** Interface the API, /metrics and the status page listen on. Default `0.0.0.0`. */
    host: z.string().min(1).default('0.0.0.0'),
    /** Port of the API, /metrics and the status page. Default 8080; 0 picks a free port. */
    port: port.default(8080),
  })
  .strict();

const registrySection = z
  .object({
    /** Port of the embedded Confluent-compatible schema registry. Default 8081; 0 picks one. */
    port: port.default(8081),
    /** URL of an external schema registry; when set, the embedded one is not started. */
    url: z.string().url().optional(),
  })
  .strict();

const topicsSection = z
  .object({
    raw: z.string().min(1).default('raw.transactions'),
    features: z.string().min(1).default('features.transactions'),
    dlq: z.string().min(1).default('raw.transactions.dlq'),
    /** Partitions of each topic the embedded default creates. Default 3. */
    embeddedPartitions: z.number().int().min(1).max(64).default(3),
  })
  .strict();

const ratio = z.number().min(0).max(1);
const numericShift = z
  .object({
    /** Added after scaling, in USD: the mean moves by exactly this much. Default 0. */
    addUsd: z.number().finite().default(0),
    /** Multiplies the base value (mean and spread scale together). Default 1. */
    scale: z.number().finite().min(0).default(1),
  })
  .strict();

/**
 * Fault knobs of the reference producer (see `FaultKnobs` in pipeline/faults.ts for what each
 * one does to the topics). The five ratios are per-record probabilities of disjoint faults, so
 * their sum must not exceed 1.
 */
export const pipelineFaultsSchema = z
  .object({
    malformedRatio: ratio.default(0),
    negativeAmountRatio: ratio.default(0),
    futureTimestampRatio: ratio.default(0),
    /** How far ahead a future-timestamp fault puts event_time_ms, in ms. Default 3600000. */
    futureTimestampOffsetMs: z.number().int().positive().default(3_600_000),
    unregisteredSchemaIdRatio: ratio.default(0),
    incompatibleSchemaRatio: ratio.default(0),
    amountShift: numericShift.default({}),
    balanceShift: numericShift.default({}),
    /** Relative weights per channel; unset keeps the base mix. */
    channelWeights: z.record(z.string(), z.number().min(0)).optional(),
    /** Relative weights per merchant category code; unset keeps the base mix. */
    merchantCategoryWeights: z.record(z.string().regex(/^\d{4}$/), z.number().min(0)).optional(),
    /** Probability that device_fingerprint is null; unset keeps the base rate (0.3). */
    deviceFingerprintNullRate: ratio.optional(),
    /** While true the producer sends nothing. Default false. */
    paused: z.boolean().default(false),
  })
  .strict()
  .refine(
    (k) =>
      k.malformedRatio +
        k.negativeAmountRatio +
        k.futureTimestampRatio +
        k.unregisteredSchemaIdRatio +
        k.incompatibleSchemaRatio <=
      1 + 1e-9,
    { message: 'the five fault ratios are disjoint per record: their sum must be <= 1' },
  )
  .refine((k) => !k.channelWeights || Object.values(k.channelWeights).some((w) => w > 0), {
    message: 'channelWeights needs at least one positive weight',
    path: ['channelWeights'],
  })
  .refine(
    (k) =>
      !k.merchantCategoryWeights || Object.values(k.merchantCategoryWeights).some((w) => w > 0),
    {
      message: 'merchantCategoryWeights needs at least one positive weight',
      path: ['merchantCategoryWeights'],
    },
  );

const pipelineSection = z
  .object({
    /** Value format of the raw and feature topics. Default `avro` (Confluent wire format). */
    format: z.enum(['avro', 'json']).default('avro'),
    producer: z
      .object({
        /** Records per second; 0 sends as fast as possible. Default 50. */
        ratePerSecond: z.number().min(0).default(50),
        /** PRNG seed of the generated values. Default 1. */
        seed: z.number().int().default(1),
        /** Number of distinct account ids. Default 1000. */
        accountCount: z.number().int().positive().default(1000),
        /** Port of the producer's /metrics and /faults; 0 picks one. Default 9464. */
        metricsPort: port.default(9464),
        /**
         * Interface of the producer's /metrics and /faults (`pipewatch pipeline producer`).
         * Default `127.0.0.1`: PUT /faults changes what the producer writes, so it is not
         * reachable from other hosts unless set (e.g. `0.0.0.0` in a container).
         */
        metricsHost: z.string().min(1).default('127.0.0.1'),
        faults: pipelineFaultsSchema.default({}),
      })
      .strict()
      .default({}),
    consumer: z
      .object({
        /** Consumer group of the feature consumer. Default `pipewatch-features`. */
        groupId: z.string().min(1).default('pipewatch-features'),
        /** `microbatch` or `per-event` (the baseline). Default `microbatch`. */
        mode: z.enum(['microbatch', 'per-event']).default('microbatch'),
        /** Exactly-once through Kafka transactions instead of at-least-once. Default false. */
        transactional: z.boolean().default(false),
        /** Upper bound of one fetch per partition, in bytes. Default 1048576. */
        maxBytesPerPartition: z.number().int().positive().default(1_048_576),
        /** Most records in one micro-batch. Default 2000. */
        maxBatchRecords: z.number().int().positive().max(100_000).default(2000),
        /** Micro-batches whose outputs may await acknowledgement at once. Default 4. */
        maxInFlightBatches: z.number().int().positive().max(64).default(4),
        /** How far ahead of now an event time may be before it is a SEMANTIC_ERROR, in ms. */
        maxFutureSkewMs: z.number().int().nonnegative().default(300_000),
        /** Port of the consumer's /metrics; 0 picks one. Default 9465. */
        metricsPort: port.default(9465),
        /** Interface of the consumer's /metrics (`pipewatch pipeline consumer`). Default `127.0.0.1`. */
        metricsHost: z.string().min(1).default('127.0.0.1'),
      })
      .strict()
      .default({}),
    embedded: z
      .object({
        /** Run the reference pipeline inside `serve` when Kafka is embedded. Default true. */
        enabled: z.boolean().default(true),
        /**
         * Cycle the embedded producer through fault scenarios (clean, DLQ burst, schema faults,
         * drift, pause) so every detector has something to see. Default true.
         */
        faultCycle: z.boolean().default(true),
        /** Length of one scenario of the cycle, in seconds. Default 120. */
        faultScenarioSeconds: z.number().int().positive().default(120),
        /**
         * Seconds after start-up at which drift references for the pipeline's features are
         * captured from the feature topic (the cycle's first, clean scenario), unless a
         * reference exists already; 0 turns this off. Default 110.
         */
        autoReferenceAfterSeconds: z.number().int().nonnegative().default(110),
      })
      .strict()
      .default({}),
  })
  .strict();

const wireTopicSection = z
  .object({
    /** `avro`: Confluent wire format (magic byte, schema id, Avro); `json`: a UTF-8 JSON object. */
    format: z.enum(['avro', 'json']),
    /** Registry subject of the values. Default `<topic>-value` (Confluent's TopicNameStrategy). */
    subject: z.string().min(1).optional(),
  })
  .strict();

const collectorSection = z
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
  })
  .strict();

const driftWindow = z
  .object({
    /** Window length in seconds; a multiple of subWindowSeconds. */
    windowSeconds: z.number().int().positive(),
    /** Slide step in seconds (integer >= 1); windowSeconds / subWindowSeconds <= 10000. */
    subWindowSeconds: z.number().int().positive(),
  })
  .strict()
  .refine((w) => w.windowSeconds % w.subWindowSeconds === 0, {
    message: 'windowSeconds must be a multiple of subWindowSeconds',
  });

const driftSection = z
  .object({
    /** Sliding windows per watched feature. Default 5 m by 30 s, 1 h by 5 min, 24 h by 1 h. */
    windows: z
      .array(driftWindow)
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
  })
  .strict();

/** Kafka's own rule for topic names: 1-249 of [a-zA-Z0-9._-], and not `.` or `..`. */
export const kafkaTopicName = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name is 1-249 characters of [a-zA-Z0-9._-]')
  .refine((t) => t !== '.' && t !== '..', { message: 'a Kafka topic name may not be . or ..' });

/** One watched pipeline: its topics by role, its consumer groups and its freshness target. */
const watchedPipeline = z
  .object({
    /** Label value of `pipeline` on every series; [a-zA-Z0-9._-], at most 100 characters. */
    name: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,100}$/, 'expected 1-100 characters of [a-zA-Z0-9._-]'),
    /** Source topics (DLQ ratios are per source topic). Default []. */
    rawTopics: z.array(kafkaTopicName).default([]),
    /** Feature topics (pipeline freshness reads their event times). Default []. */
    featureTopics: z.array(kafkaTopicName).default([]),
    /** Dead-letter topics. Default []. */
    dlqTopics: z.array(kafkaTopicName).default([]),
    /** Consumer groups whose lag and status are watched. Default []. */
    groups: z.array(z.string().min(1).max(255)).default([]),
    /** Oldest acceptable data, in seconds: staleness above it is STALE. Default 60. */
    freshnessTargetSeconds: z.number().positive().default(60),
  })
  .strict();

export type WatchedPipeline = z.output<typeof watchedPipeline>;

export const configSchema = z
  .object({
    kafka: kafkaSection.default({}),
    http: httpSection.default({}),
    registry: registrySection.default({}),
    topics: topicsSection.default({}),
    collector: collectorSection.default({}),
    drift: driftSection.default({}),
    pipeline: pipelineSection.default({}),
    /**
     * Watched pipelines. Unset (the default): one entry named `transactions` for the reference
     * pipeline, from `topics` and `pipeline.consumer.groupId` (see `watchedPipelines`).
     */
    pipelines: z
      .array(watchedPipeline)
      .max(100)
      .optional()
      .refine((list) => !list || new Set(list.map((p) => p.name)).size === list.length, {
        message: 'pipeline names must be unique',
      }),
    /** Folder of the SQLite file. Default `./data`. */
    dataDir: z.string().min(1).default('./data'),
    /** pino log level. Default `info`. */
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** Grace period for a SIGTERM shutdown, in milliseconds. Default 10000. */
    shutdownTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
