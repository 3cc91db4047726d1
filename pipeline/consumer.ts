import type { Logger } from 'pino';
import { isPipewatchError } from '../common/index.js';
import {
  RdConsumer,
  RdProducer,
  type ConsumedRecord,
  type KafkaSecurity,
  type OffsetToCommit,
  type OutgoingMessage,
  type TopicMessages,
} from '../kafka/index.js';
import type { RecordCodec } from './codec.js';
import { CommitTracker, nextOffsets } from './commit-tracker.js';
import { FeatureState } from './feature-state.js';
import { PipelineMetrics, startMetricsServer, type MetricsServer } from './metrics.js';
import { dlqErrorTypes, processBatch, type DlqErrorType, type ProcessedBatch } from './process.js';
import { defaultMaxFutureSkewMs } from './transaction.js';
import { PartitionWarmer } from './partition-warmer.js';
import { defaultWarmupSettings, newWarmupReader, type WarmupSettings } from './warmup.js';

export interface PipelineTopics {
  readonly raw: string;
  readonly features: string;
  readonly dlq: string;
}

export interface FeatureConsumerOptions {
  /** Bootstrap servers, `host:port`. */
  readonly brokers: readonly string[];
  /** TLS and SASL of the cluster (kafka/security.ts). Default: plaintext, no authentication. */
  readonly security?: KafkaSecurity;
  /** Kafka client id. Default `pipewatch-pipeline`. */
  readonly clientId?: string;
  readonly topics: PipelineTopics;
  readonly groupId: string;
  readonly codec: RecordCodec;
  /** `microbatch` (many records per poll and write) or `per-event` (one). Default microbatch. */
  readonly mode?: 'microbatch' | 'per-event';
  /**
   * Exactly-once: each batch's outputs and its consumed offsets are written in one Kafka
   * transaction, and readers with isolation read_committed see each record once. Default false
   * (at-least-once: outputs acknowledged with acks=all, then offsets committed; a crash in
   * between repeats them).
   */
  readonly transactional?: boolean;
  /**
   * Transactional id is `<groupId>-<instanceId>`: keep it stable across restarts so a restarted
   * instance fences its crashed predecessor and aborts its open transaction. Default `0`.
   */
  readonly instanceId?: string;
  /** Most records in one micro-batch. Default 2000 (per-event: 1). */
  readonly maxBatchRecords?: number;
  /**
   * Batches whose outputs may be awaiting acknowledgement at once, so one batch's produce round
   * trip overlaps the next one's computation. Default 4; 1 when transactional or per-event.
   */
  readonly maxInFlightBatches?: number;
  /** Group session timeout in ms: how long a crashed member keeps its partitions. Default 30000. */
  readonly sessionTimeoutMs?: number;
  /** Max bytes fetched per partition per request. Default 1048576. */
  readonly maxBytesPerPartition?: number;
  /** Event times further ahead than this are SEMANTIC_ERROR, in ms. Default 300000. */
  readonly maxFutureSkewMs?: number;
  /** At-least-once mode: commit acknowledged offsets at most this often, in ms. Default 1000. */
  /**
   * How long an output may wait for its acknowledgement (librdkafka retries inside it) before
   * the write fails and the consumer re-reads from its committed offsets, in ms. Default 120000;
   * at most 60000 when transactional.
   */
  readonly deliveryTimeoutMs?: number;
  readonly commitIntervalMs?: number;
  /**
   * Warm-up of newly assigned partitions (start-up, rebalance): their accounts' windows are
   * rebuilt from the last hour of records below the committed offset before processing goes on
   * (pipeline/warmup.ts). Unset keys default as in `defaultWarmupSettings` (on).
   */
  readonly warmup?: Partial<WarmupSettings>;
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
    /** The batch's feature and DLQ records, as written. */
    messages: readonly OutgoingMessage[];
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
  /** Times the consumer went back to its committed offsets after a failed write. */
  readonly restarts: number;
  /** Undo entries the feature state holds (records not yet known committed): a memory check. */
  readonly rememberedRecords: number;
}

/** Whether the consumer still works: `failed` once its loop ended on an error it cannot retry. */
export type ConsumerHealth =
  | { readonly state: 'running' }
  | { readonly state: 'failed'; readonly error: Error }
  | { readonly state: 'stopped' };

export interface RunningFeatureConsumer {
  stats(): ConsumerStats;
  health(): ConsumerHealth;
  /** Raw-topic partitions this member was assigned when it last polled. */
  assignedPartitions(): readonly number[];
  /**
   * Settles when the consumer loop ends: resolves after stop(), rejects with the error when the
   * loop ended by itself (a fatal producer error such as being fenced, or an unexpected throw).
   */
  readonly done: Promise<void>;
  readonly httpUrl: string | undefined;
  readonly metrics: PipelineMetrics;
  stop(): Promise<void>;
}

const pollTimeoutMs = 100;

function isFatal(error: unknown): boolean {
  return isPipewatchError(error) && error.details.fatal === true;
}

/**
 * The feature consumer: reads raw transactions, writes one feature record or one DLQ record per
 * input, and commits offsets only once those writes are acknowledged. Kafka I/O goes through
 * librdkafka (kafka/librdkafka); everything between is `processBatch`.
 */
export async function startFeatureConsumer(
  options: FeatureConsumerOptions,
): Promise<RunningFeatureConsumer> {
  const mode = options.mode ?? 'microbatch';
  const role = mode === 'microbatch' ? 'microbatch_consumer' : 'per_event_consumer';
  const transactional = options.transactional ?? false;
  const batchLimit = mode === 'per-event' ? 1 : (options.maxBatchRecords ?? 2000);
  const maxInFlight =
    transactional || mode === 'per-event' ? 1 : Math.max(1, options.maxInFlightBatches ?? 4);
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? new PipelineMetrics(false);
  const logger = options.logger;
  const clientId = options.clientId ?? 'pipewatch-pipeline';
  const state = new FeatureState();
  const totals = {
    recordsIn: 0,
    recordsAcknowledged: 0,
    features: 0,
    restarts: 0,
    firstBatchAtMs: undefined as number | undefined,
    lastAckAtMs: undefined as number | undefined,
  };
  const dlqTotals: Record<DlqErrorType, number> = {
    SCHEMA_VIOLATION: 0,
    SEMANTIC_ERROR: 0,
    COMPUTE_ERROR: 0,
  };
  await options.codec.prepare(['features']);
  const maxFutureSkewMs = options.maxFutureSkewMs ?? defaultMaxFutureSkewMs;
  const warmer = new PartitionWarmer({
    topic: options.topics.raw,
    state,
    codec: options.codec,
    settings: { ...defaultWarmupSettings, ...options.warmup },
    maxFutureSkewMs,
    metrics,
    newReader: () =>
      newWarmupReader({
        brokers: options.brokers,
        clientId,
        groupId: options.groupId,
        ...(logger ? { logger } : {}),
        ...(options.security ? { security: options.security } : {}),
      }),
    ...(logger ? { logger } : {}),
  });

  const newConsumer = () =>
    new RdConsumer({
      brokers: options.brokers,
      clientId,
      groupId: options.groupId,
      topics: [options.topics.raw],
      maxBatchRecords: batchLimit,
      readCommitted: true,
      ...(options.sessionTimeoutMs !== undefined
        ? { sessionTimeoutMs: options.sessionTimeoutMs }
        : {}),
      ...(options.maxBytesPerPartition !== undefined
        ? { maxPartitionFetchBytes: options.maxBytesPerPartition }
        : {}),
      ...(logger ? { logger } : {}),
      ...(options.security ? { security: options.security } : {}),
    });
  const producer = new RdProducer({
    brokers: options.brokers,
    clientId,
    lingerMs: mode === 'per-event' ? 0 : 5,
    ...(options.deliveryTimeoutMs !== undefined
      ? { deliveryTimeoutMs: options.deliveryTimeoutMs }
      : {}),
    ...(transactional
      ? { transactionalId: `${options.groupId}-${options.instanceId ?? '0'}` }
      : {}),
    ...(logger ? { logger } : {}),
    ...(options.security ? { security: options.security } : {}),
  });
  let consumer: RdConsumer | undefined;
  let server: MetricsServer | undefined;
  try {
    if (transactional) await producer.initTransactions();
    consumer = newConsumer();
    if (options.http) {
      server = await startMetricsServer(
        metrics,
        options.http.host,
        options.http.port,
        undefined,
        logger,
      );
    }
  } catch (error) {
    await consumer?.close().catch(() => undefined);
    await producer.close().catch(() => undefined);
    throw error;
  }

  const processRecords = async (records: ConsumedRecord[]): Promise<ProcessedBatch> => {
    totals.firstBatchAtMs ??= performance.now();
    totals.recordsIn += records.length;
    metrics.recordsIn.inc({ role }, records.length);
    const replayedBefore = state.replayedRecords;
    const inexactBefore = state.inexactReplays;
    const out = await processBatch(
      records.map((r) => ({ ...r, offset: String(r.offset) })),
      {
        codec: options.codec,
        state,
        nowMs: clock(),
        maxFutureSkewMs,
      },
    );
    metrics.replayedRecords.inc({ restored: 'exact' }, state.replayedRecords - replayedBefore);
    metrics.replayedRecords.inc({ restored: 'inexact' }, state.inexactReplays - inexactBefore);
    return out;
  };
  const outputs = (out: ProcessedBatch): TopicMessages[] => [
    { topic: options.topics.features, messages: out.features },
    { topic: options.topics.dlq, messages: out.dlq },
  ];
  const account = (out: ProcessedBatch) => {
    totals.lastAckAtMs = performance.now();
    totals.recordsAcknowledged += out.features.length + out.dlq.length;
    totals.features += out.features.length;
    metrics.recordsOut.inc({ role, topic: options.topics.features }, out.features.length);
    metrics.recordsOut.inc({ role, topic: options.topics.dlq }, out.dlq.length);
    for (const type of dlqErrorTypes) {
      dlqTotals[type] += out.dlqByType[type];
      if (out.dlqByType[type] > 0) {
        metrics.dlqRecords.inc({ error_type: type }, out.dlqByType[type]);
      }
    }
  };
  const hook = (offsets: readonly OffsetToCommit[], out: ProcessedBatch) =>
    options.afterOutputsAcknowledged?.({
      partition: offsets[0]?.partition ?? -1,
      records: out.features.length + out.dlq.length,
      messages: [...out.features, ...out.dlq],
    });

  /** Outputs and offsets in one transaction; any failure aborts it and rethrows. */
  const writeTransactionally = async (out: ProcessedBatch, offsets: OffsetToCommit[]) => {
    producer.beginTransaction();
    try {
      await producer.send(outputs(out));
      await hook(offsets, out);
      await producer.sendOffsetsToTransaction(consumer!, offsets);
      await producer.commitTransaction();
      // Committed with the transaction: these records are never read again.
      state.forgetBefore(offsets);
    } catch (error) {
      await producer.abortTransaction().catch(() => undefined);
      throw error;
    }
  };

  const tracker = new CommitTracker();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let lastCommitAt = 0;
  const commitIntervalMs = options.commitIntervalMs ?? 1000;
  const commitIfDue = () => {
    if (!consumer || clock() - lastCommitAt < commitIntervalMs) return;
    const offsets = tracker.take();
    if (offsets.length === 0) return;
    lastCommitAt = clock();
    consumer.commit(offsets);
  };

  /** At-least-once: write outputs in the background; offsets follow once they are acknowledged. */
  const writeInBackground = (out: ProcessedBatch, offsets: OffsetToCommit[]) => {
    const handle = tracker.add(offsets);
    const stopTimer = metrics.batchDuration.startTimer({ role });
    const write = producer
      .send(outputs(out))
      .then(() => hook(offsets, out))
      .then(() => {
        account(out);
        stopTimer();
        tracker.acknowledge(handle);
        commitIfDue();
      })
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
  };

  /** A write failed: drop what is in flight and read again from the committed offsets. */
  const recover = async () => {
    logger?.warn({ err: failure }, 'output write failed; re-reading from committed offsets');
    await Promise.allSettled([...inFlight]);
    failure = undefined;
    tracker.reset();
    // Leaving the group lets another member take partitions meanwhile: look at each again.
    warmer.resetAssignment();
    await consumer?.close().catch(() => undefined);
    totals.restarts++;
    consumer = newConsumer();
  };

  let running = true;
  const loopBody = async () => {
    let next = consumer!.poll(pollTimeoutMs);
    while (running) {
      const records = await next;
      if (!running) break;
      warmer.observeAssignment(consumer!);
      for (const message of consumer!.takeErrors()) logger?.warn(`consumer: ${message}`);
      if (failure) {
        if (isFatal(failure)) {
          // A fenced or otherwise dead producer: retrying cannot help, another instance owns
          // the transactional id now. The loop ends with the error so `done`, health(), the
          // readiness check and the exit code all say the work has stopped.
          await next.catch(() => undefined);
          throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
        }
        await recover();
        next = consumer!.poll(pollTimeoutMs);
        continue;
      }
      // Start the next fetch now: it waits on a worker thread while this batch is computed.
      next = consumer!.poll(pollTimeoutMs);
      if (records.length === 0) {
        commitIfDue();
        continue;
      }
      await warmer.beforeBatch(records, clock());
      const out = await processRecords(records);
      const offsets = nextOffsets(records);
      if (transactional) {
        const stopTimer = metrics.batchDuration.startTimer({ role });
        try {
          await writeTransactionally(out, offsets);
          account(out);
          stopTimer();
        } catch (error) {
          failure = error;
        }
        continue;
      }
      writeInBackground(out, offsets);
      while (inFlight.size >= maxInFlight && !failure) await Promise.race(inFlight);
    }
    await next.catch(() => undefined);
  };
  metrics.consumerUp.set(1);
  let health: ConsumerHealth = { state: 'running' };
  const loop = loopBody().then(
    () => {
      health = { state: 'stopped' };
      metrics.consumerUp.set(0);
    },
    (error: unknown) => {
      const err = error instanceof Error ? error : new Error(String(error));
      health = { state: 'failed', error: err };
      metrics.consumerUp.set(0);
      metrics.consumerFatalErrors.inc();
      logger?.error({ err }, 'the feature consumer stopped on a fatal error');
      throw err;
    },
  );
  // Observed through `done`/health(); an unobserved rejection must not crash the process.
  loop.catch(() => undefined);

  return {
    stats: () => ({
      ...totals,
      dlq: { ...dlqTotals },
      rememberedRecords: state.rememberedRecords,
    }),
    health: () => health,
    assignedPartitions: () => warmer.assignedPartitions(),
    done: loop,
    httpUrl: server?.url,
    metrics,
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      await Promise.allSettled([...inFlight]);
      const offsets = transactional ? [] : tracker.take();
      await consumer?.commitSync(offsets).catch(() => undefined);
      await consumer?.close();
      await producer.close();
      await server?.close();
    },
  };
}
