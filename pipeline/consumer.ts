import type {
  Consumer,
  EachBatchPayload,
  EachMessagePayload,
  Kafka,
  Message,
  Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import type { RecordCodec } from './codec.js';
import { FeatureState } from './features.js';
import { GroupSender } from './group-send.js';
import { PipelineMetrics, startMetricsServer, type MetricsServer } from './metrics.js';
import {
  dlqErrorTypes,
  processBatch,
  type DlqErrorType,
  type ProcessedBatch,
  type SourceRecord,
} from './process.js';
import { defaultMaxFutureSkewMs } from './transaction.js';

export interface PipelineTopics {
  readonly raw: string;
  readonly features: string;
  readonly dlq: string;
}

export interface FeatureConsumerOptions {
  readonly kafka: Kafka;
  readonly topics: PipelineTopics;
  readonly groupId: string;
  readonly codec: RecordCodec;
  /** `microbatch` (eachBatch, one produce per batch) or `per-event` (eachMessage). Default microbatch. */
  readonly mode?: 'microbatch' | 'per-event';
  /**
   * Exactly-once: outputs and the consumed offsets are written in one Kafka transaction, and
   * readers with isolation read_committed see each record once. Default false (at-least-once:
   * outputs acknowledged with acks=all, then offsets committed; a crash in between repeats them).
   */
  readonly transactional?: boolean;
  /**
   * Transactional id is `<groupId>-<instanceId>`: keep it stable across restarts so a restarted
   * instance fences its crashed predecessor and aborts its open transaction. Default `0`.
   */
  readonly instanceId?: string;
  /**
   * Batches of different partitions processed at once, so one batch's produce round trip
   * overlaps the next one's computation. Default 8; always 1 when transactional (a producer
   * runs one transaction at a time).
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Group session timeout in ms: how long a crashed member keeps its partitions before the
   * group rebalances them. Default 30000 (kafkajs' default).
   */
  readonly sessionTimeoutMs?: number;
  /** Max bytes fetched per partition per batch. Default 1048576. */
  readonly maxBytesPerPartition?: number;
  /** Event times further ahead than this are SEMANTIC_ERROR, in ms. Default 300000. */
  readonly maxFutureSkewMs?: number;
  /** At-least-once mode: commit resolved offsets at most this often, in ms. Default 1000. */
  readonly commitIntervalMs?: number;
  /** Serve /metrics here; `false` serves nothing. Default false. */
  readonly http?: { readonly host: string; readonly port: number } | false;
  readonly metrics?: PipelineMetrics;
  /** The consumer's clock (future-timestamp check, computed_at_ms), epoch ms. Default Date.now. */
  readonly clock?: () => number;
  readonly logger?: Logger;
  /**
   * Called after a batch's outputs are acknowledged (transactional: sent inside the open
   * transaction) and before its offsets are committed: the point where a crash makes the batch
   * repeat (transactional: abort). For observation, and for tests that crash there.
   */
  readonly afterOutputsAcknowledged?: (info: {
    partition: number;
    records: number;
  }) => Promise<void>;
}

export interface ConsumerStats {
  /** Records received (counted before they are processed). */
  readonly recordsIn: number;
  /** Records whose feature or DLQ output is acknowledged: recordsIn once the batch is done. */
  readonly recordsAcknowledged: number;
  /** performance.now() when the first batch arrived and when the last one was acknowledged. */
  readonly firstBatchAtMs: number | undefined;
  readonly lastAckAtMs: number | undefined;
  readonly features: number;
  readonly dlq: Readonly<Record<DlqErrorType, number>>;
}

export interface RunningFeatureConsumer {
  stats(): ConsumerStats;
  readonly httpUrl: string | undefined;
  readonly metrics: PipelineMetrics;
  stop(): Promise<void>;
}

/**
 * The feature consumer: reads raw transactions, writes one feature record or one DLQ record per
 * input, and commits offsets only once those writes are acknowledged.
 */
export async function startFeatureConsumer(
  options: FeatureConsumerOptions,
): Promise<RunningFeatureConsumer> {
  const mode = options.mode ?? 'microbatch';
  const role = mode === 'microbatch' ? 'microbatch_consumer' : 'per_event_consumer';
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? new PipelineMetrics(false);
  const transactional = options.transactional ?? false;
  const state = new FeatureState();
  const totals = {
    recordsIn: 0,
    recordsAcknowledged: 0,
    features: 0,
    firstBatchAtMs: undefined as number | undefined,
    lastAckAtMs: undefined as number | undefined,
  };
  const dlqTotals: Record<DlqErrorType, number> = {
    SCHEMA_VIOLATION: 0,
    SEMANTIC_ERROR: 0,
    COMPUTE_ERROR: 0,
  };
  await options.codec.prepare(['features']);

  const producer: Producer = options.kafka.producer(
    transactional
      ? {
          idempotent: true,
          maxInFlightRequests: 1,
          transactionalId: `${options.groupId}-${options.instanceId ?? '0'}`,
        }
      : { idempotent: true, maxInFlightRequests: 1 },
  );
  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    readUncommitted: false,
    ...(options.sessionTimeoutMs !== undefined
      ? {
          sessionTimeout: options.sessionTimeoutMs,
          heartbeatInterval: Math.max(100, Math.floor(options.sessionTimeoutMs / 6)),
        }
      : {}),
  });
  const sender = new GroupSender(producer);
  let server: MetricsServer | undefined;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: options.topics.raw, fromBeginning: true });
    if (options.http) {
      server = await startMetricsServer(metrics, options.http.host, options.http.port);
    }
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    throw error;
  }

  const processRecords = async (records: SourceRecord[]): Promise<ProcessedBatch> => {
    totals.firstBatchAtMs ??= performance.now();
    totals.recordsIn += records.length;
    metrics.recordsIn.inc({ role }, records.length);
    return processBatch(records, {
      codec: options.codec,
      state,
      nowMs: clock(),
      maxFutureSkewMs: options.maxFutureSkewMs ?? defaultMaxFutureSkewMs,
    });
  };
  const outputs = (out: ProcessedBatch) => {
    const topicMessages: { topic: string; messages: Message[] }[] = [];
    if (out.features.length > 0)
      topicMessages.push({ topic: options.topics.features, messages: out.features });
    if (out.dlq.length > 0) topicMessages.push({ topic: options.topics.dlq, messages: out.dlq });
    return topicMessages;
  };
  const account = (out: ProcessedBatch) => {
    totals.lastAckAtMs = performance.now();
    totals.recordsAcknowledged += out.features.length + out.dlq.length;
    totals.features += out.features.length;
    metrics.recordsOut.inc({ role, topic: options.topics.features }, out.features.length);
    metrics.recordsOut.inc({ role, topic: options.topics.dlq }, out.dlq.length);
    for (const type of dlqErrorTypes) {
      dlqTotals[type] += out.dlqByType[type];
      if (out.dlqByType[type] > 0)
        metrics.dlqRecords.inc({ error_type: type }, out.dlqByType[type]);
    }
  };

  /** Writes the outputs and the consumed offset (next = last + 1) atomically. */
  const writeTransactionally = async (
    out: ProcessedBatch,
    partition: number,
    nextOffset: string,
  ) => {
    const transaction = await producer.transaction();
    try {
      for (const tm of outputs(out)) await transaction.send({ ...tm, acks: -1 });
      await options.afterOutputsAcknowledged?.({
        partition,
        records: out.features.length + out.dlq.length,
      });
      await transaction.sendOffsets({
        consumerGroupId: options.groupId,
        topics: [{ topic: options.topics.raw, partitions: [{ partition, offset: nextOffset }] }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
  };

  const toSource = (
    topic: string,
    partition: number,
    m: { offset: string; key: Buffer | null; value: Buffer | null },
  ): SourceRecord => ({
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
  });

  const eachBatch = async (payload: EachBatchPayload) => {
    const { batch } = payload;
    const last = batch.messages[batch.messages.length - 1];
    if (!last || !payload.isRunning() || payload.isStale()) return;
    const stopTimer = metrics.batchDuration.startTimer({ role });
    const out = await processRecords(
      batch.messages.map((m) => toSource(batch.topic, batch.partition, m)),
    );
    const nextOffset = (BigInt(last.offset) + 1n).toString();
    if (transactional) {
      await writeTransactionally(out, batch.partition, nextOffset);
    } else {
      await sender.send(outputs(out));
      await options.afterOutputsAcknowledged?.({
        partition: batch.partition,
        records: batch.messages.length,
      });
    }
    payload.resolveOffset(last.offset);
    account(out);
    stopTimer();
    if (!transactional) await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  };

  const eachMessage = async ({ topic, partition, message }: EachMessagePayload) => {
    const stopTimer = metrics.batchDuration.startTimer({ role });
    const out = await processRecords([toSource(topic, partition, message)]);
    if (transactional) {
      await writeTransactionally(out, partition, (BigInt(message.offset) + 1n).toString());
    } else {
      for (const tm of outputs(out)) await producer.send({ ...tm, acks: -1 });
      await options.afterOutputsAcknowledged?.({ partition, records: 1 });
    }
    account(out);
    stopTimer();
  };

  await consumer.run({
    autoCommit: !transactional,
    autoCommitInterval: options.commitIntervalMs ?? 1000,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: transactional
      ? 1
      : (options.partitionsConsumedConcurrently ?? 8),
    ...(mode === 'microbatch' ? { eachBatch } : { eachMessage }),
  });

  return {
    stats: () => ({ ...totals, dlq: { ...dlqTotals } }),
    httpUrl: server?.url,
    metrics,
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
      await server?.close();
    },
  };
}
