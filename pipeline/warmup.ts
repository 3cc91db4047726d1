import { RdConsumer, type ConsumedRecord, type KafkaSecurity } from '../kafka/index.js';
import type { Logger } from 'pino';
import type { RecordCodec } from './codec.js';
import { longestWindowMs, type FeatureState } from './feature-state.js';
import { isValidationFailure, validateTransaction, type Transaction } from './transaction.js';

/** `pipeline.consumer.warmup` (config/schema.ts documents each default). */
export interface WarmupSettings {
  /** Warm a newly assigned partition's accounts before processing it. Default true. */
  readonly enabled: boolean;
  /** Most records read to warm one partition; older ones are left out, loudly. Default 1000000. */
  readonly maxRecordsPerPartition: number;
  /** Event time read before the longest window, for late and skewed records, in ms. Default 300000. */
  readonly latenessMarginMs: number;
  /** Longest one warm-up may read before processing goes on with what it folded, in ms. Default 120000. */
  readonly timeoutMs: number;
}

export const defaultWarmupSettings: WarmupSettings = {
  enabled: true,
  maxRecordsPerPartition: 1_000_000,
  latenessMarginMs: 300_000,
  // Well below librdkafka's max.poll.interval.ms (300 s): the group consumer is not polled
  // while a warm-up reads, and past that interval it would leave the group.
  timeoutMs: 120_000,
};

/**
 * How a warm-up found where to start: the broker's timestamp index (ListOffsets by timestamp),
 * or, where the cluster ignores the timestamp (librdkafka's mock answers -1 to every time), a
 * read from the log start that skips records older than the range.
 */
/** The warm-up's reader: joins no group and commits nothing (warm-up only reads). */
export function newWarmupReader(o: {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly logger?: Logger;
  readonly security?: KafkaSecurity;
}): RdConsumer {
  return new RdConsumer({
    brokers: o.brokers,
    clientId: `${o.clientId}-warmup`,
    groupId: `${o.groupId}.warmup`,
    topics: [],
    manualAssignment: true,
    withTimestamps: true,
    readCommitted: true,
    maxBatchRecords: 5000,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.security ? { security: o.security } : {}),
  });
}

export type WarmupMethod = 'offsets-by-timestamp' | 'scan-from-log-start';
/** complete; capped (maxRecordsPerPartition cut off older in-range records); timed_out. */
export type WarmupOutcome = 'complete' | 'capped' | 'timed_out';

/** A partition to warm: read it below `endOffset` (the committed offset, where processing starts). */
export interface WarmupTarget {
  readonly partition: number;
  readonly endOffset: number;
  /** Event time of the first valid record at or after `endOffset`. */
  readonly anchorEventTimeMs: number;
}

export interface PartitionWarmup {
  readonly partition: number;
  readonly method: WarmupMethod;
  /** Records with a timestamp at or after this (epoch ms) were folded. */
  readonly fromTimestampMs: number;
  readonly fromOffset: number;
  readonly endOffset: number;
  readonly recordsRead: number;
  readonly recordsFolded: number;
  readonly outcome: WarmupOutcome;
}

export interface WarmupContext {
  readonly topic: string;
  readonly state: FeatureState;
  readonly codec: RecordCodec;
  readonly settings: WarmupSettings;
  readonly maxFutureSkewMs: number;
  /** Validation time of a record without a timestamp, epoch ms. */
  readonly nowMs: number;
}

const pollTimeoutMs = 100;

/**
 * Reads each target partition's records from (anchor − longest window − lateness margin) up to
 * its end offset with `reader` (a manually assigned consumer: it joins no group and commits
 * nothing) and folds the valid ones into the state as committed history. Nothing is emitted: a
 * record that would go to the DLQ (undecodable, or failing validation) is skipped exactly as
 * processing skips its fold; a COMPUTE_ERROR record is folded, as processing folds it.
 */
export async function warmPartitions(
  reader: RdConsumer,
  targets: readonly WarmupTarget[],
  context: WarmupContext,
): Promise<PartitionWarmup[]> {
  const { topic, settings } = context;
  const marks = await Promise.all(targets.map((t) => reader.watermarkOffsets(topic, t.partition)));
  const fromMs = targets.map(
    (t) => t.anchorEventTimeMs - longestWindowMs - settings.latenessMarginMs,
  );
  const byTime = await startsByTimestamp(reader, topic, targets, marks, fromMs);
  const method: WarmupMethod = byTime ? 'offsets-by-timestamp' : 'scan-from-log-start';

  const ranges = targets.map((t, i) => {
    const low = marks[i]!.low;
    const end = Math.max(low, t.endOffset);
    const wanted = Math.min(end, Math.max(low, byTime?.[i] ?? low));
    const from = Math.max(wanted, end - settings.maxRecordsPerPartition);
    return {
      target: t,
      fromMs: fromMs[i]!,
      from,
      end,
      raisedByCap: from > wanted,
      started: byTime !== undefined,
      read: 0,
      folded: 0,
      done: from >= end,
      firstInRange: undefined as boolean | undefined,
    };
  });
  const byPartition = new Map(ranges.map((r) => [r.target.partition, r]));
  const open = ranges.filter((r) => !r.done);
  if (open.length > 0) {
    reader.assign(open.map((r) => ({ topic, partition: r.target.partition, offset: r.from })));
  }
  const deadline = performance.now() + settings.timeoutMs;
  let timedOut = false;
  while (ranges.some((r) => !r.done)) {
    if (performance.now() > deadline) {
      timedOut = true;
      break;
    }
    // No end-of-partition report ends a range: the record at endOffset exists and is visible
    // (the group consumer just read it), so every range ends on a record at or past its end.
    const records = await reader.poll(pollTimeoutMs);
    const toFold: ConsumedRecord[] = [];
    for (const record of records) {
      const r = byPartition.get(record.partition);
      if (!r || r.done) continue;
      if (record.offset >= r.end) {
        r.done = true;
        continue;
      }
      if (record.offset === r.end - 1) r.done = true;
      r.read++;
      const timestampMs = record.timestampMs ?? -1;
      // The scan emulates the timestamp index: from the first record at or after fromMs on.
      if (!r.started && timestampMs >= 0 && timestampMs < r.fromMs) continue;
      r.firstInRange ??= record.offset === r.from;
      r.started = true;
      toFold.push(record);
    }
    await foldValid(toFold, context, byPartition);
  }
  return ranges.map((r) => ({
    partition: r.target.partition,
    method,
    fromTimestampMs: r.fromMs,
    fromOffset: r.from,
    endOffset: r.end,
    recordsRead: r.read,
    recordsFolded: r.folded,
    outcome:
      timedOut && !r.done
        ? 'timed_out'
        : // Capped only when the cap cut off records of the range (the first one read was in it).
          r.raisedByCap && (byTime !== undefined || r.firstInRange === true)
          ? 'capped'
          : 'complete',
  }));
}

/** Decodes and validates as processing does, folding the records that would get features. */
async function foldValid(
  records: readonly ConsumedRecord[],
  context: WarmupContext,
  ranges: ReadonlyMap<number, { folded: number }>,
): Promise<void> {
  if (records.length === 0) return;
  const decoded = await context.codec.decodeBatch(records.map((r) => r.value));
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const outcome = decoded[i]!;
    if (!outcome.ok) continue;
    // Processing validated this record against its clock when it read it; the record's
    // timestamp (its write time) is the closest known time to that, so a future-timestamp
    // record that went to the DLQ then is skipped now too, however much later the warm-up runs.
    const ts = record.timestampMs ?? -1;
    const checked = validateTransaction(
      outcome.value,
      ts >= 0 ? ts : context.nowMs,
      context.maxFutureSkewMs,
    );
    if (isValidationFailure(checked)) continue;
    const tx: Transaction = checked;
    context.state.foldCommitted(tx.account_id, tx.event_time_ms, tx.amount_usd, {
      partition: record.partition,
      offset: record.offset,
    });
    ranges.get(record.partition)!.folded++;
  }
}

/**
 * Start offsets by timestamp, or undefined when the cluster cannot give them: a probe at
 * timestamp 0 must answer the log start of every non-empty partition (every record is at or after
 * the epoch); a cluster answering anything else (the mock: -1) ignores the timestamp. -1 for a
 * real time means no record at or after it: nothing to read.
 */
async function startsByTimestamp(
  reader: RdConsumer,
  topic: string,
  targets: readonly WarmupTarget[],
  marks: readonly { low: number; high: number }[],
  fromMs: readonly number[],
): Promise<number[] | undefined> {
  const partitions = targets.map((t) => t.partition);
  try {
    const probe = await reader.offsetsForTimes(topic, partitions, 0);
    const honest = targets.every((t, i) => {
      const { low, high } = marks[i]!;
      return low === high || probe.get(t.partition) === low;
    });
    if (!honest || marks.every((m) => m.low === m.high)) return undefined;
    const starts: number[] = [];
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i]!;
      const answer = (await reader.offsetsForTimes(topic, [t.partition], fromMs[i]!)).get(
        t.partition,
      );
      starts.push(answer === undefined || answer < 0 ? t.endOffset : answer);
    }
    return starts;
  } catch {
    return undefined;
  }
}
