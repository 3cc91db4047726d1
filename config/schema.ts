import { z } from 'zod';
import { alertsSection, rulesSection } from './schema-alerts.js';
import {
  collectorSection,
  dlqSection,
  driftSection,
  referencesSection,
} from './schema-collector.js';

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
    /**
     * Retries of a failed request by every registry client of the service (taps, pipeline): on
     * a network error, a timeout, a 5xx or a 429, never another 4xx. Every registry request is
     * idempotent (Confluent gives the same schema the same id). Default 2; 0 disables.
     */
    requestRetries: z.number().int().min(0).max(10).default(2),
    /**
     * Wait before the first retry, in ms, doubled for each further one, jittered (half fixed,
     * half random) and capped at 5000 (a Retry-After header can raise it to the cap). Default 100.
     */
    retryBackoffMs: z.number().int().min(1).max(5000).default(100),
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
        /**
         * Warm-up of partitions the consumer is assigned (start-up, rebalance): before processing
         * from the committed offset, it folds the partition's records of the last hour (plus the
         * margin) of event time into the per-account windows, emitting and committing nothing, so
         * `*_1m` / `*_1h` features equal those of a consumer that never stopped.
         */
        warmup: z
          .object({
            /** Warm newly assigned partitions. Default true. */
            enabled: z.boolean().default(true),
            /** Most records read to warm one partition (older ones are left out, logged). Default 1000000. */
            maxRecordsPerPartition: z.number().int().positive().default(1_000_000),
            /** Event time read before the 1 h window, for late or skewed records, in ms. Default 300000. */
            latenessMarginMs: z.number().int().nonnegative().max(86_400_000).default(300_000),
            /**
             * Longest one warm-up may read before processing goes on with what it folded, in ms;
             * below librdkafka's max.poll.interval.ms (300000). Default 120000.
             */
            timeoutMs: z.number().int().positive().max(240_000).default(120_000),
          })
          .strict()
          .default({}),
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
