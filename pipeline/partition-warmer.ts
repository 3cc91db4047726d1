import type { Logger } from 'pino';
import type { ConsumedRecord, RdConsumer } from '../kafka/index.js';
import type { RecordCodec } from './codec.js';
import type { FeatureState } from './feature-state.js';
import type { PipelineMetrics } from './metrics.js';
import { isValidationFailure, validateTransaction } from './transaction.js';
import { warmPartitions, type WarmupSettings, type WarmupTarget } from './warmup.js';

export interface PartitionWarmerOptions {
  readonly topic: string;
  readonly state: FeatureState;
  readonly codec: RecordCodec;
  readonly settings: WarmupSettings;
  readonly maxFutureSkewMs: number;
  readonly metrics: PipelineMetrics;
  /** A manually assigned reader of the raw topic (no group, no commits); closed after use. */
  readonly newReader: () => RdConsumer;
  readonly logger?: Logger;
}

/**
 * Decides, per partition the group consumer is (re)assigned, whether its accounts' windows must
 * be warmed before its records are processed, and warms them. An account's records all live in
 * one raw partition (the producer keys by account id), so a partition's last hour of records is
 * everything its accounts' windows depend on.
 *
 * On the first record of a partition after an assignment, at offset F (the committed offset):
 * - this instance already read the partition up to F or beyond: it continues, or it replays
 *   records it folded itself (the state's undo entries restore the windows), so nothing to do;
 * - otherwise (never read here, or another instance processed records since): the accounts held
 *   for the partition are stale or missing; drop them and warm the partition below F.
 */
export class PartitionWarmer {
  private assigned = new Set<number>();
  /** Assigned since the last batch and not yet seen in a batch. */
  private readonly fresh = new Set<number>();
  /** Partition → end offset of a warm-up waiting for a valid record to anchor its range. */
  private readonly pending = new Map<number, number>();
  /** Per partition, the offset after the newest record this instance read. */
  private readonly nextOffset = new Map<number, number>();

  constructor(private readonly options: PartitionWarmerOptions) {}

  /** Call after every poll of the group consumer (the assignment changes inside a poll). */
  observeAssignment(consumer: RdConsumer): void {
    const now = new Set(
      consumer
        .assignment()
        .filter((a) => a.topic === this.options.topic)
        .map((a) => a.partition),
    );
    for (const p of now) if (!this.assigned.has(p)) this.fresh.add(p);
    for (const p of this.assigned) {
      if (now.has(p)) continue;
      // A pending warm-up stays pending: if the partition comes back, it is still owed.
      this.fresh.delete(p);
    }
    this.assigned = now;
  }

  /** The raw-topic partitions assigned at the last observation. */
  assignedPartitions(): number[] {
    return [...this.assigned].sort((a, b) => a - b);
  }

  /** The group consumer left the group (and joins again): every partition is fresh again. */
  resetAssignment(): void {
    this.assigned = new Set();
  }

  /** Call with each batch before it is processed; warms what the batch's partitions need. */
  async beforeBatch(records: readonly ConsumedRecord[], nowMs: number): Promise<void> {
    const byPartition = new Map<number, ConsumedRecord[]>();
    for (const r of records) {
      let list = byPartition.get(r.partition);
      if (!list) byPartition.set(r.partition, (list = []));
      list.push(r);
    }
    if (this.options.settings.enabled) {
      for (const [p, list] of byPartition) {
        const isFresh = this.fresh.delete(p) || !this.nextOffset.has(p);
        if (!isFresh) continue;
        const first = list[0]!.offset;
        const known = this.nextOffset.get(p);
        if (known !== undefined && known >= first) continue;
        this.options.state.dropPartition(p);
        this.pending.set(p, first);
      }
      const targets: WarmupTarget[] = [];
      for (const [p, endOffset] of this.pending) {
        const list = byPartition.get(p);
        if (!list) continue;
        const anchor = await this.firstValidEventTime(list, nowMs);
        // A batch of only bad records folds nothing: anchor on the next one (same end offset).
        if (anchor === undefined) continue;
        targets.push({ partition: p, endOffset, anchorEventTimeMs: anchor });
        this.pending.delete(p);
      }
      if (targets.length > 0) await this.warm(targets, nowMs);
    }
    for (const [p, list] of byPartition) {
      const next = list[list.length - 1]!.offset + 1;
      if (next > (this.nextOffset.get(p) ?? -1)) this.nextOffset.set(p, next);
    }
  }

  private async firstValidEventTime(
    records: readonly ConsumedRecord[],
    nowMs: number,
  ): Promise<number | undefined> {
    const decoded = await this.options.codec.decodeBatch(records.map((r) => r.value));
    for (const outcome of decoded) {
      if (!outcome.ok) continue;
      const checked = validateTransaction(outcome.value, nowMs, this.options.maxFutureSkewMs);
      if (!isValidationFailure(checked)) return checked.event_time_ms;
    }
    return undefined;
  }

  private async warm(targets: readonly WarmupTarget[], nowMs: number): Promise<void> {
    const { metrics, logger } = this.options;
    const started = performance.now();
    const reader = this.options.newReader();
    try {
      const results = await warmPartitions(reader, targets, {
        topic: this.options.topic,
        state: this.options.state,
        codec: this.options.codec,
        settings: this.options.settings,
        maxFutureSkewMs: this.options.maxFutureSkewMs,
        nowMs,
      });
      const durationMs = Math.round(performance.now() - started);
      for (const r of results) {
        metrics.warmupRecords.inc({ method: r.method }, r.recordsRead);
        metrics.warmupPartitions.inc({ method: r.method, outcome: r.outcome });
      }
      const method = results[0]?.method;
      const line = {
        topic: this.options.topic,
        method,
        durationMs,
        recordsRead: results.reduce((n, r) => n + r.recordsRead, 0),
        recordsFolded: results.reduce((n, r) => n + r.recordsFolded, 0),
        partitions: results,
      };
      if (results.every((r) => r.outcome === 'complete')) {
        logger?.info(line, 'warmed the windows of newly assigned partitions');
      } else {
        logger?.warn(
          line,
          'warm-up incomplete (capped or timed out): window features of these partitions are low until the windows refill',
        );
      }
    } catch (error) {
      // Processing goes on with the windows it has (what the consumer did before warm-ups).
      metrics.warmupPartitions.inc({ method: 'none', outcome: 'failed' }, targets.length);
      logger?.warn(
        { err: error, partitions: targets.map((t) => t.partition) },
        'warm-up failed: window features of these partitions are low until the windows refill',
      );
    } finally {
      await reader.close().catch(() => undefined);
    }
  }
}
