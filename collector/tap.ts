import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  RdConsumer,
  type ConsumedRecord,
  type KafkaSecurity,
  type OffsetToCommit,
} from '../kafka/index.js';
import { sharedCounter } from './metrics.js';
import type { DecodedRecord, RecordSink, TappedRecord, TappedRecordSink } from './types.js';

/** What a decoder makes of one record: a decoded record, or a classified failure. */
export type DecodeOutcome =
  | { readonly ok: true; readonly record: DecodedRecord }
  | { readonly ok: false; readonly kind: string; readonly message: string };

/** Decoders may be asynchronous (schema lookups); most records decode from cache. */
export type RecordDecoder = (record: TappedRecord) => DecodeOutcome | Promise<DecodeOutcome>;

/** Told about every record that did not decode, so none is lost without a count. */
export type UndecodableHandler = (record: TappedRecord, kind: string, message: string) => void;

export interface TapOptions {
  /**
   * Bootstrap servers of the tap's consumer (librdkafka, the data-plane client: kafkajs reads
   * about 27 k records/s here, which cannot feed drift at 1 M values/s).
   */
  readonly brokers?: readonly string[];
  /**
   * A kafkajs client of the same cluster, used only when `brokers` is unset: its cluster
   * metadata (one control-plane call at start) names the brokers the tap connects to.
   */
  readonly kafka?: Kafka;
  /** Kafka client id of the tap's consumer. Default `pipewatch-tap`. */
  readonly clientId?: string;
  /** TLS and SASL of the cluster (kafka/security.ts). Default: plaintext. */
  readonly security?: KafkaSecurity;
  /** The tap's own consumer group: read-only towards the pipeline, never shared with it. */
  readonly groupId: string;
  /** Topics whose records are decoded and handed to `sinks`. */
  readonly topics: readonly string[];
  /**
   * Topics read but never decoded (DLQ topics: their records are bad by design and must not
   * count as schema violations); only `tappedSinks` see them. Default [].
   */
  readonly undecodedTopics?: readonly string[];
  readonly decode: RecordDecoder;
  readonly sinks: readonly RecordSink[];
  /** Told about every record read, before decoding (source counts, DLQ records). Default []. */
  readonly tappedSinks?: readonly TappedRecordSink[];
  readonly onUndecodable?: UndecodableHandler;
  readonly metricsRegistry: Registry;
  readonly logger: Logger;
  /** Milliseconds since the epoch; injected so sinks stay testable. Default Date.now. */
  readonly clock?: () => number;
  /** Start from the earliest offset when the group has no commit. Default false (latest). */
  readonly fromBeginning?: boolean;
  /**
   * Longest a fetch waits on the broker for new records, in ms. Default 100: a tap that trails
   * its topic by seconds blurs the windows it feeds, and librdkafka's mock broker (the embedded
   * default) holds an empty fetch for the whole wait even when records arrive meanwhile.
   */
  readonly fetchMaxWaitMs?: number;
  /** Most records taken from the client per batch; at most this many wait in the tap. Default 2000. */
  readonly maxBatchRecords?: number;
  /**
   * librdkafka's prefetch bound in KiB (`queued.max.messages.kbytes`, which librdkafka 2.0 applies
   * to the consumer queue): fetched records wait there until the tap takes
   * the next batch, so this (plus one fetch) bounds the tap's memory. Default 65536 (see
   * config `collector.tap.prefetchMaxKbytes` for why not less).
   */
  readonly prefetchMaxKbytes?: number;
  /** librdkafka's prefetch bound in records (`queued.min.messages`). Default 1000000. */
  readonly prefetchMaxRecords?: number;
  /** Most bytes one fetch brings per partition (`max.partition.fetch.bytes`). Default 1048576. */
  readonly maxPartitionFetchBytes?: number;
  /** Without fromBeginning: longest start-up wait for the first partition assignment, ms. Default 10000. */
  readonly assignmentTimeoutMs?: number;
  /** How often the offsets of handled records are committed, ms (and at stop). Default 5000. */
  readonly commitIntervalMs?: number;
}

export interface TapStats {
  /** Records taken from the client and not yet handed to every sink (at most one batch). */
  readonly bufferedRecords: number;
  /** The most records ever buffered at once. */
  readonly maxBufferedRecords: number;
  /** Records fetched by librdkafka that the tap has not taken yet (its bounded prefetch). */
  readonly clientQueuedRecords: number;
  readonly batches: number;
}

export interface Tap {
  /** Records handed to sinks plus records counted as undecodable, per topic. */
  processedCount(topic: string): number;
  stats(): TapStats;
  stop(): Promise<void>;
}

/** Decodes a UTF-8 JSON object value; anything else is a classified failure. */
export function decodeJsonRecord(record: TappedRecord): DecodeOutcome {
  if (record.value === null)
    return { ok: false, kind: 'null_value', message: 'record has no value' };
  let payload: unknown;
  try {
    payload = JSON.parse(record.value.toString('utf8'));
  } catch (error) {
    return { ok: false, kind: 'invalid_json', message: (error as Error).message };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { ok: false, kind: 'invalid_json', message: 'value is JSON but not an object' };
  }
  return {
    ok: true,
    record: { ...record, payload: payload as Record<string, unknown>, schemaId: undefined },
  };
}

/** A kafkajs message as pipewatch's record (the reference capture still reads with kafkajs). */
export function toTappedRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
): TappedRecord {
  const headers: Record<string, string> = {};
  const headerBytes: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined) continue;
    headers[name] = first.toString();
    headerBytes[name] = Buffer.isBuffer(first) ? first : Buffer.from(first);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    timestampMs: Number(message.timestamp),
    key: message.key,
    headers,
    headerBytes,
    value: message.value,
  };
}

const emptyHeaders: Readonly<Record<string, string>> = Object.freeze({});
const emptyHeaderBytes: Readonly<Record<string, Buffer>> = Object.freeze({});

/** A librdkafka record as pipewatch's record: the first value of a repeated header wins. */
export function fromConsumedRecord(record: ConsumedRecord): TappedRecord {
  let headers = emptyHeaders;
  let headerBytes = emptyHeaderBytes;
  if (record.headers && record.headers.length > 0) {
    const text: Record<string, string> = {};
    const bytes: Record<string, Buffer> = {};
    for (const [name, value] of record.headers) {
      if (name in text || value === null) continue;
      text[name] = value.toString('utf8');
      bytes[name] = value;
    }
    headers = text;
    headerBytes = bytes;
  }
  return {
    topic: record.topic,
    partition: record.partition,
    offset: String(record.offset),
    timestampMs: record.timestampMs ?? -1,
    key: record.key,
    headers,
    headerBytes,
    value: record.value,
  };
}

const pollTimeoutMs = 100;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

async function resolveBrokers(options: TapOptions): Promise<readonly string[]> {
  if (options.brokers && options.brokers.length > 0) return options.brokers;
  if (!options.kafka) throw new Error('startTap needs brokers (or a kafkajs client to ask)');
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    return brokers.map((b) => `${b.host}:${b.port}`);
  } finally {
    await admin.disconnect();
  }
}

/**
 * A sidecar tap: its own consumer group reads the watched topics batch by batch through
 * librdkafka, translates each record to pipewatch's types, decodes it and hands it to every
 * sink. Back pressure: the next batch is asked for only once the previous one went through
 * every sink, and librdkafka's prefetch is capped, so a slow sink slows the reads instead of
 * growing a queue. A sink that throws is logged and counted, and does not stop the tap or the
 * other sinks.
 */
export async function startTap(options: TapOptions): Promise<Tap> {
  const clock = options.clock ?? Date.now;
  const logger = options.logger.child({ component: 'tap', groupId: options.groupId });
  const records = sharedCounter(
    options.metricsRegistry,
    'pipewatch_topic_records_total',
    'Records read by the taps.',
    ['topic'],
  );
  const sinkErrors = sharedCounter(
    options.metricsRegistry,
    'pipewatch_tap_sink_errors_total',
    'Sink failures while handling a record.',
    ['sink'],
  );
  const undecoded = new Set(options.undecodedTopics ?? []);
  const topics = [...new Set([...options.topics, ...undecoded])];
  // From 0, not absent until the first record: the exported DLQ ratio divides by this
  // counter's rate(), and rate() over a series that appears at 1 misses that first record.
  for (const topic of topics) records.inc({ topic }, 0);
  const maxBatch = options.maxBatchRecords ?? 2000;
  const consumer = new RdConsumer({
    brokers: await resolveBrokers(options),
    clientId: options.clientId ?? 'pipewatch-tap',
    groupId: options.groupId,
    topics,
    autoOffsetReset: options.fromBeginning ? 'earliest' : 'latest',
    fetchWaitMaxMs: options.fetchMaxWaitMs ?? 100,
    maxBatchRecords: maxBatch,
    queuedMaxMessagesKbytes: options.prefetchMaxKbytes ?? 65_536,
    queuedMinMessages: options.prefetchMaxRecords ?? 1_000_000,
    ...(options.maxPartitionFetchBytes !== undefined
      ? { maxPartitionFetchBytes: options.maxPartitionFetchBytes }
      : {}),
    // The tap watches what the pipeline wrote, aborted writes included, as kafkajs did.
    readCommitted: false,
    ...(options.security ? { security: options.security } : {}),
    withTimestamps: true,
    withHeaders: true,
    logger,
  });
  const processed = new Map<string, number>();
  const next = new Map<string, OffsetToCommit>();
  const tappedSinks = options.tappedSinks ?? [];
  const stats = { bufferedRecords: 0, maxBufferedRecords: 0, batches: 0 };

  const sinkFailed = (name: string, tapped: TappedRecord, error: unknown) => {
    sinkErrors.inc({ sink: name });
    logger.error(
      { err: error, sink: name, topic: tapped.topic, offset: tapped.offset },
      'sink failed',
    );
  };
  const deliver = (tapped: TappedRecord, outcome: DecodeOutcome) => {
    if (!outcome.ok) {
      options.onUndecodable?.(tapped, outcome.kind, outcome.message);
      return;
    }
    const nowMs = clock();
    for (const sink of options.sinks) {
      try {
        sink.onRecord(outcome.record, nowMs);
      } catch (error) {
        sinkFailed(sink.name, tapped, error);
      }
    }
  };
  /** Synchronous unless the decoder has to ask the registry. */
  const handle = (tapped: TappedRecord): void | Promise<void> => {
    if (tappedSinks.length > 0) {
      const nowMs = clock();
      for (const sink of tappedSinks) {
        try {
          sink.onTapped(tapped, nowMs);
        } catch (error) {
          sinkFailed(sink.name, tapped, error);
        }
      }
    }
    if (undecoded.has(tapped.topic)) return;
    const outcome = options.decode(tapped);
    if (isPromise(outcome)) return outcome.then((o) => deliver(tapped, o));
    deliver(tapped, outcome);
  };

  const handleBatch = async (batch: ConsumedRecord[]) => {
    stats.bufferedRecords = batch.length;
    stats.maxBufferedRecords = Math.max(stats.maxBufferedRecords, batch.length);
    stats.batches++;
    const perTopic = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!;
      const pending = handle(fromConsumedRecord(record));
      if (pending) await pending;
      stats.bufferedRecords = batch.length - i - 1;
      perTopic.set(record.topic, (perTopic.get(record.topic) ?? 0) + 1);
      const key = `${record.partition}:${record.topic}`;
      next.set(key, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset + 1,
      });
    }
    for (const [topic, count] of perTopic) {
      records.inc({ topic }, count);
      processed.set(topic, (processed.get(topic) ?? 0) + count);
    }
  };

  const commitIntervalMs = options.commitIntervalMs ?? 5000;
  let lastCommitMs = Date.now();
  const takeOffsets = () => {
    const offsets = [...next.values()];
    next.clear();
    return offsets;
  };

  let running = true;
  const loop = (async () => {
    while (running) {
      let batch: ConsumedRecord[];
      try {
        // What is fetched already is taken at once; only an empty queue waits (on a worker).
        batch = consumer.take(maxBatch);
        if (batch.length === 0) batch = await consumer.poll(pollTimeoutMs, maxBatch);
        // Let timers and HTTP run between batches even when a backlog never empties the queue.
        else await new Promise((resolve) => setImmediate(resolve));
      } catch (error) {
        logger.warn({ err: error }, 'tap poll failed');
        await new Promise((r) => setTimeout(r, pollTimeoutMs));
        continue;
      }
      const errors = consumer.takeErrors();
      if (errors.length > 0) logger.warn({ errors: [...new Set(errors)] }, 'tap consumer errors');
      if (batch.length > 0) await handleBatch(batch);
      if (Date.now() - lastCommitMs >= commitIntervalMs) {
        lastCommitMs = Date.now();
        consumer.commit(takeOffsets());
      }
    }
  })();
  if (!options.fromBeginning) {
    // "latest" means from when the tap started, as the kafkajs tap did (it resolved once it
    // had joined): wait for the first assignment, after which librdkafka resolves the end
    // offsets at once. A tap with no partition to read (missing topics) goes on after a while.
    const deadline = Date.now() + (options.assignmentTimeoutMs ?? 10_000);
    while (running && consumer.assignedPartitions() === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (consumer.assignedPartitions() === 0) {
      logger.warn({ topics }, 'tap has no partition assigned yet; reading from when it gets one');
    }
  }
  logger.info({ topics }, 'tap started');

  return {
    processedCount: (topic) => processed.get(topic) ?? 0,
    stats: () => ({ ...stats, clientQueuedRecords: consumer.queuedRecords() }),
    async stop() {
      if (!running) return;
      running = false;
      await loop.catch((error: unknown) => logger.error({ err: error }, 'tap loop failed'));
      await consumer.commitSync(takeOffsets()).catch(() => undefined);
      await consumer.close();
    },
  };
}
