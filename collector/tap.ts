import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { sharedCounter } from './metrics.js';
import type { DecodedRecord, RecordSink, TappedRecord } from './types.js';

/** What a decoder makes of one record: a decoded record, or a classified failure. */
export type DecodeOutcome =
  | { readonly ok: true; readonly record: DecodedRecord }
  | { readonly ok: false; readonly kind: string; readonly message: string };

/** Decoders may be asynchronous (schema lookups); most records decode from cache. */
export type RecordDecoder = (record: TappedRecord) => DecodeOutcome | Promise<DecodeOutcome>;

/** Told about every record that did not decode, so none is lost without a count. */
export type UndecodableHandler = (record: TappedRecord, kind: string, message: string) => void;

export interface TapOptions {
  readonly kafka: Kafka;
  /** The tap's own consumer group: read-only towards the pipeline, never shared with it. */
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly decode: RecordDecoder;
  readonly sinks: readonly RecordSink[];
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
}

export interface Tap {
  /** Records handed to sinks plus records counted as undecodable, per topic. */
  processedCount(topic: string): number;
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

export function toTappedRecord(
  topic: string,
  partition: number,
  message: KafkaMessage,
): TappedRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) headers[name] = first.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    timestampMs: Number(message.timestamp),
    key: message.key,
    headers,
    value: message.value,
  };
}

/**
 * A sidecar tap: its own consumer group reads the watched topics batch by batch, translates each
 * record to pipewatch's types, decodes it and hands it to every sink. A sink that throws is
 * logged and counted, and does not stop the tap or the other sinks.
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
  const processed = new Map<string, number>();
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: options.fetchMaxWaitMs ?? 100,
  });
  await consumer.connect();
  await consumer.subscribe({
    topics: [...options.topics],
    fromBeginning: options.fromBeginning ?? false,
  });

  const handle = async (tapped: TappedRecord) => {
    const outcome = await options.decode(tapped);
    if (!outcome.ok) {
      options.onUndecodable?.(tapped, outcome.kind, outcome.message);
      return;
    }
    const nowMs = clock();
    for (const sink of options.sinks) {
      try {
        sink.onRecord(outcome.record, nowMs);
      } catch (error) {
        sinkErrors.inc({ sink: sink.name });
        logger.error(
          { err: error, sink: sink.name, topic: tapped.topic, offset: tapped.offset },
          'sink failed',
        );
      }
    }
  };

  await consumer.run({
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (const message of batch.messages) {
        if (!payload.isRunning() || payload.isStale()) break;
        await handle(toTappedRecord(batch.topic, batch.partition, message));
        records.inc({ topic: batch.topic });
        processed.set(batch.topic, (processed.get(batch.topic) ?? 0) + 1);
        payload.resolveOffset(message.offset);
      }
      await payload.heartbeat();
    },
  });
  logger.info({ topics: options.topics }, 'tap started');

  return {
    processedCount: (topic) => processed.get(topic) ?? 0,
    stop: () => consumer.disconnect(),
  };
}
