import { z } from 'zod';

/**
 * The configuration schema. Every section is strict: an unknown key is an error naming it.
 * Units are in the key names; defaults are documented next to each key.
 */
const port = z.number().int().min(0).max(65535);

/**
 * TLS towards the brokers (every kafkajs and librdkafka client of pipewatch). The block being
 * present turns TLS on; absent (the default) means plaintext. Files are PEM.
 */
const kafkaTlsSection = z
  .object({
    /** CA bundle that signs the brokers' certificates. Default: the system's trusted CAs. */
    caFile: z.string().min(1).optional(),
    /** Client certificate for mutual TLS; needs keyFile. Default: none (no client cert). */
    certFile: z.string().min(1).optional(),
    /** Private key of certFile, unencrypted PEM. Default: none. */
    keyFile: z.string().min(1).optional(),
    /**
     * Accept any broker certificate and host name. Default false; only for a throw-away test
     * cluster: it turns off the protection TLS exists for.
     */
    insecureSkipVerify: z.boolean().default(false),
  })
  .strict()
  .refine((t) => (t.certFile === undefined) === (t.keyFile === undefined), {
    message: 'give certFile and keyFile together (mutual TLS needs both)',
    path: ['keyFile'],
  });

/**
 * SASL authentication towards the brokers. Absent (the default): none. Give the password
 * through PIPEWATCH_KAFKA_SASL_PASSWORD or a file (`passwordFile`), not in the YAML file; it is
 * never logged.
 */
const kafkaSaslSection = z
  .object({
    /** `plain`, `scram-sha-256` or `scram-sha-512`. No default. */
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    /** SASL user name (PIPEWATCH_KAFKA_SASL_USERNAME). No default. */
    username: z.string().min(1),
    /** The password (PIPEWATCH_KAFKA_SASL_PASSWORD). Default: none; then passwordFile. */
    password: z.string().min(1).optional(),
    /** A file holding the password, trailing newline ignored (a mounted secret). Default: none. */
    passwordFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => (s.password === undefined) !== (s.passwordFile === undefined), {
    message: 'give exactly one of password and passwordFile',
    path: ['password'],
  });

const kafkaSection = z
  .object({
    /** Bootstrap servers. Empty (the default) starts the embedded in-process mock cluster. */
    brokers: z.array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port')).default([]),
    /** Kafka client id used by every pipewatch client. Default `pipewatch`. */
    clientId: z.string().min(1).default('pipewatch'),
    /** TLS to the brokers; absent (the default) is plaintext. Not with the embedded cluster. */
    tls: kafkaTlsSection.optional(),
    /** SASL to the brokers; absent (the default) is none. Not with the embedded cluster. */
    sasl: kafkaSaslSection.optional(),
    /** Number of brokers of the embedded mock cluster. Default 3. */
    embeddedBrokerCount: z.number().int().min(1).max(9).default(3),
    /** Per-request timeout in milliseconds. Default 30000. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** Time to wait for the first broker answer at start-up, in milliseconds. Default 10000. */
    connectTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * The configured brokers are librdkafka's mock cluster run by another process (tests of the
     * standalone pipeline commands): enables the mock's controller-id fallback on pipewatch's
     * kafkajs clients. Never set it for a real cluster. Default false (the embedded cluster of
     * `serve` gets the fallback without it).
     */
    mockCluster: z.boolean().default(false),
  })
  .strict();

const httpSection = z
  .object({
    /**
     * Interface the API and /metrics listen on. Default `127.0.0.1` (this machine only); set
     * `0.0.0.0` (PIPEWATCH_HTTP_HOST) to serve other hosts, as the docker compose file does.
     * The standalone pipeline commands' /metrics and /faults listen here too.
     */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port of the API and /metrics. Default 8080; 0 picks a free port. */
    port: port.default(8080),
    auth: z
      .object({
        /**
         * Bearer tokens accepted for every write (API and embedded registry); at least 16
         * characters each. Default [] (no authentication). Prefer PIPEWATCH_API_TOKEN over the
         * file: tokens are secrets and are never logged.
         */
        tokens: z.array(z.string().min(16, 'an API token has at least 16 characters')).default([]),
        /** Reads (GET, the status page, /metrics) need a token too. Default false. */
        readRequiresToken: z.boolean().default(false),
      })
      .strict()
      .default({}),
  })
  .strict();

const registryBasicAuthSection = z
  .object({
    /** User name (Confluent Cloud: the API key). */
    username: z.string().min(1),
    /** The password (Confluent Cloud: the API secret); prefer PIPEWATCH_REGISTRY_PASSWORD. */
    password: z.string().min(1).optional(),
    /** A file holding the password (trailing newline ignored), e.g. a mounted secret. */
    passwordFile: z.string().min(1).optional(),
  })
  .strict()
  .refine((a) => (a.password === undefined) !== (a.passwordFile === undefined), {
    message: 'give exactly one of password and passwordFile',
  });

const registrySection = z
  .object({
    /**
     * Interface the embedded schema registry listens on. Default `127.0.0.1`; `0.0.0.0`
     * (PIPEWATCH_REGISTRY_HOST) to serve other hosts.
     */
    host: z.string().min(1).default('127.0.0.1'),
    /** Port of the embedded Confluent-compatible schema registry. Default 8081; 0 picks one. */
    port: port.default(8081),
    /**
     * URL of an external schema registry; when set, the embedded one is not started. May carry
     * credentials as user-info (`https://key:secret@host`); they are never logged.
     */
    url: z.string().url().optional(),
    /**
     * Basic auth for the external registry, used by every registry client of pipewatch (taps,
     * pipeline, CI gate). Give the password through PIPEWATCH_REGISTRY_PASSWORD or a file
     * (`passwordFile`, PIPEWATCH_REGISTRY_PASSWORD_FILE), not in the YAML file. Default: none.
     */
    basicAuth: registryBasicAuthSection.optional(),
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

const dlqSection = z
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

const driftSection = z
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
const referencesSection = z
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
    /**
     * Field of the feature records holding the source event time in epoch ms (pipeline
     * freshness = now − the newest one seen). Unset: `event_time_ms`.
     */
    eventTimeField: z.string().min(1).max(200).optional(),
  })
  .strict();

export type WatchedPipeline = z.output<typeof watchedPipeline>;

const rulesSection = z
  .object({
    /**
     * YAML rule files (`{rules: [...]}` or Prometheus-style `{groups: [{rules: [...]}]}`, format
     * in rules/schema.ts), loaded and validated at start-up. Default [].
     */
    files: z.array(z.string().min(1)).default([]),
    /**
     * The default rules: DLQ ratio > 0.1 % for 2 m, pipeline stale beyond its freshness target,
     * consumer group STOP/STALL/DATA_LOSS, schema violations, feature drift, collector down.
     * Default true.
     */
    defaults: z.boolean().default(true),
    /** Period of rule evaluation over the readings board, in seconds. Default 15. */
    evaluationIntervalSeconds: z.number().positive().default(15),
  })
  .strict();

const alertMatcher = z
  .string()
  .regex(
    /^\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=~|!~|!=|=)\s*"(?:[^"\\]|\\.)*"\s*$/,
    'expected a matcher such as label="value" (operators =, !=, =~, !~)',
  );

const alertsSection = z
  .object({
    /** Base URL of pipewatch's status page, linked from notifications. Default http://<http.host>:<http.port>. */
    externalUrl: z.string().url().optional(),
    /** The email receiver (named `email`). Unset: no email. */
    email: z
      .object({
        /** `smtp://host:port` or `smtps://host:port` (implicit TLS). */
        url: z
          .string()
          .regex(
            /^smtps?:\/\/[^\s/]+(:\d+)?\/?$/,
            'expected smtp://host:port or smtps://host:port',
          ),
        from: z.string().min(3),
        to: z.array(z.string().min(3)).min(1),
        /** SMTP login; the password is read from the environment variable named here. */
        auth: z
          .object({ user: z.string().min(1), passwordEnv: z.string().min(1) })
          .strict()
          .optional(),
        tls: z
          .object({
            /** Never upgrade with STARTTLS. Default false. */
            ignoreTLS: z.boolean().default(false),
            /** Refuse to send without STARTTLS. Default false. */
            requireTLS: z.boolean().default(false),
            /** Verify the server certificate. Default true. */
            rejectUnauthorized: z.boolean().default(true),
          })
          .strict()
          .default({}),
        /** Per-message SMTP timeout, in milliseconds. Default 10000. */
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .strict()
      .optional(),
    /** Webhook receivers: `webhook` posts Alertmanager's payload (version 4), `slack` a Slack message. Default []. */
    webhooks: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/),
            url: z.string().url(),
            kind: z.enum(['webhook', 'slack']).default('webhook'),
          })
          .strict(),
      )
      .default([]),
    /** Alertmanagers that receive every alert through POST /api/v2/alerts. Default []. */
    alertmanagers: z
      .array(
        z
          .object({ name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/), url: z.string().url() })
          .strict(),
      )
      .default([]),
    /** Label-based routes, first match wins unless `continue`; unmatched alerts go to `defaultReceivers`. Default []. */
    routes: z
      .array(
        z
          .object({
            matchers: z.array(alertMatcher).min(1),
            receiver: z.string().min(1),
            continue: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    /** Receivers of alerts no route matches. Default: every configured receiver. */
    defaultReceivers: z.array(z.string().min(1)).optional(),
    /** Labels whose values split alerts into notification groups. Default [alertname, pipeline]. */
    groupBy: z.array(z.string().min(1)).default(['alertname', 'pipeline']),
    /** Wait before a new group's first notification, seconds (Alertmanager's default). Default 30. */
    groupWaitSeconds: z.number().nonnegative().default(30),
    /** Wait between notifications of a group that changed, seconds. Default 300. */
    groupIntervalSeconds: z.number().nonnegative().default(300),
    /** Resend of a group that still fires unchanged, seconds. Default 14400 (4 h). */
    repeatIntervalSeconds: z.number().positive().default(14_400),
    /** Send resolved notifications. Default true. */
    sendResolved: z.boolean().default(true),
    /** Also send the resolved notification of an alert that was silenced or inhibited. Default false. */
    sendResolvedWhenSilenced: z.boolean().default(false),
    /** Inhibition: a stale or stopped pipeline mutes its own DLQ and drift alerts. Default true. */
    inhibitDefaults: z.boolean().default(true),
    outbox: z
      .object({
        /** First retry delay, ms; doubles per attempt with full jitter. Default 1000. */
        initialBackoffMs: z.number().int().positive().default(1000),
        /** Largest retry delay, ms. Default 300000. */
        maxBackoffMs: z.number().int().positive().default(300_000),
        /** Attempts before a notification is given up (kept in the outbox as failed). Default 1000. */
        maxAttempts: z.number().int().positive().default(1000),
        /** How often the outbox looks for due notifications, ms. Default 1000. */
        pollIntervalMs: z.number().int().positive().default(1000),
      })
      .strict()
      .default({}),
  })
  .strict();

export const configSchema = z
  .object({
    kafka: kafkaSection.default({}),
    http: httpSection.default({}),
    registry: registrySection.default({}),
    topics: topicsSection.default({}),
    collector: collectorSection.default({}),
    drift: driftSection.default({}),
    references: referencesSection.default({}),
    dlq: dlqSection.default({}),
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
    rules: rulesSection.default({}),
    alerts: alertsSection.default({}),
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
