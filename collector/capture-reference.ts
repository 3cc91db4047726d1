import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { PipewatchError } from '../common/index.js';
import { decodeJsonRecord, toTappedRecord, type RecordDecoder } from './tap.js';
import type { TappedRecord } from './types.js';

export interface CaptureOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topic: string;
  /** A top-level field of the JSON value, or a dotted path into nested objects. */
  readonly feature: string;
  /** Records with fromMs <= record timestamp < toMs are captured (epoch ms). */
  readonly fromMs: number;
  readonly toMs: number;
  /** Stop with an error after this many records in range. Default 5,000,000. */
  readonly maxValues?: number;
  /** Give up when the read has not finished after this long. Default 60,000 ms. */
  readonly timeoutMs?: number;
  /**
   * Turns a record into its payload object. Default: the value as a UTF-8 JSON object. `serve`
   * passes the tap's wire decoder, so Confluent Avro topics capture too.
   */
  readonly decode?: RecordDecoder;
}

export interface CaptureResult {
  /** Field values of the records in range, in partition then offset order; null when missing. */
  readonly values: (number | string | null)[];
  /** How start offsets were found: the broker's timestamp index, or a scan of the whole log. */
  readonly method: 'offsets-by-timestamp' | 'scan-from-log-start';
  readonly recordsRead: number;
  readonly recordsInRange: number;
  /** Records in range whose value did not decode (see `decode`). */
  readonly undecodable: number;
  /** Records in range whose field is neither null, a number nor a string (kept out). */
  readonly invalid: number;
}

interface PartitionRange {
  readonly partition: number;
  readonly start: bigint;
  /** End offset when the capture began: the read stops there. */
  readonly end: bigint;
}

/**
 * Reads the records of a time range from a topic (JSON values) and returns one field's values,
 * to register as a drift reference. Start offsets come from ListOffsets by timestamp when the
 * cluster honours it; otherwise (librdkafka's mock cluster answers every timestamp with the end
 * offset) every partition is read from its log start and filtered by record timestamp. The read
 * ends at the end offsets seen when the capture began. Nothing is committed.
 */
export async function captureReferenceValues(options: CaptureOptions): Promise<CaptureResult> {
  if (!(options.fromMs < options.toMs)) {
    throw new PipewatchError('BAD_REQUEST', `capture range is empty: fromMs must be < toMs`, {
      fromMs: options.fromMs,
      toMs: options.toMs,
    });
  }
  const logger = options.logger.child({ component: 'reference-capture', topic: options.topic });
  const admin = options.kafka.admin();
  await admin.connect();
  let plan: { ranges: PartitionRange[]; method: CaptureResult['method'] };
  try {
    plan = await planRanges(admin, options, logger);
  } finally {
    await admin.disconnect();
  }
  return readRanges(options, plan.ranges, plan.method, logger);
}

async function planRanges(admin: Admin, options: CaptureOptions, logger: Logger) {
  const { topic, fromMs } = options;
  const watermarks = await admin.fetchTopicOffsets(topic);
  const lows = new Map(watermarks.map((w) => [w.partition, BigInt(w.low)]));
  const highs = new Map(watermarks.map((w) => [w.partition, BigInt(w.high)]));
  const byTimestamp = await offsetsByTimestamp(admin, topic, fromMs, lows, highs);
  if (byTimestamp === undefined) {
    logger.warn(
      'the cluster does not honour ListOffsets by timestamp: reading every partition from its log start and filtering by record timestamp',
    );
  }
  const ranges = watermarks.map((w) => ({
    partition: w.partition,
    start: byTimestamp?.get(w.partition) ?? BigInt(w.low),
    end: BigInt(w.high),
  }));
  const method: CaptureResult['method'] = byTimestamp
    ? 'offsets-by-timestamp'
    : 'scan-from-log-start';
  return { ranges, method };
}

/**
 * Start offsets by timestamp, or undefined when the cluster cannot give them. A probe at
 * timestamp 0 must answer the log start of every non-empty partition (every record is at or
 * after the epoch); a cluster that answers the end offset is ignoring the timestamp.
 */
async function offsetsByTimestamp(
  admin: Admin,
  topic: string,
  fromMs: number,
  lows: Map<number, bigint>,
  highs: Map<number, bigint>,
): Promise<Map<number, bigint> | undefined> {
  try {
    const probe = await admin.fetchTopicOffsetsByTimestamp(topic, 0);
    const honoured = probe.every((p) => {
      const low = lows.get(p.partition);
      const high = highs.get(p.partition);
      return low === high || BigInt(p.offset) === low;
    });
    if (!honoured) return undefined;
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, fromMs);
    return new Map(
      offsets.map((p) => {
        const offset = BigInt(p.offset);
        return [p.partition, offset < 0n ? (highs.get(p.partition) ?? 0n) : offset];
      }),
    );
  } catch {
    return undefined;
  }
}

function fieldOf(payload: Record<string, unknown>, feature: string): unknown {
  if (feature in payload) return payload[feature];
  let value: unknown = payload;
  for (const part of feature.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

async function readRanges(
  options: CaptureOptions,
  ranges: readonly PartitionRange[],
  method: CaptureResult['method'],
  logger: Logger,
): Promise<CaptureResult> {
  const maxValues = options.maxValues ?? 5_000_000;
  const pending = ranges.filter((r) => r.start < r.end);
  const perPartition = new Map<number, (number | string | null)[]>(
    ranges.map((r) => [r.partition, []]),
  );
  const counts = { recordsRead: 0, recordsInRange: 0, undecodable: 0, invalid: 0 };
  if (pending.length > 0) {
    const decode = options.decode ?? decodeJsonRecord;
    await consume(options, pending, async (record) => {
      const { partition, timestampMs } = record;
      counts.recordsRead++;
      if (timestampMs < options.fromMs || timestampMs >= options.toMs) return;
      counts.recordsInRange++;
      if (counts.recordsInRange > maxValues) {
        throw new PipewatchError('CAPTURE_INCOMPLETE', `more than ${maxValues} records in range`);
      }
      const outcome = await decode(record);
      if (!outcome.ok) {
        counts.undecodable++;
        return;
      }
      const field = fieldOf(outcome.record.payload, options.feature);
      if (field === undefined || field === null) perPartition.get(partition)!.push(null);
      else if (typeof field === 'number' || typeof field === 'string') {
        perPartition.get(partition)!.push(field);
      } else counts.invalid++;
    });
  }
  const values = [...perPartition.keys()]
    .sort((a, b) => a - b)
    .flatMap((p) => perPartition.get(p)!);
  logger.info({ method, ...counts, values: values.length }, 'captured reference values');
  return { values, method, ...counts };
}

/** Reads [start, end) of each partition with a throwaway group that never commits. */
async function consume(
  options: CaptureOptions,
  ranges: readonly PartitionRange[],
  onRecord: (record: TappedRecord) => Promise<void>,
): Promise<void> {
  const consumer = options.kafka.consumer({
    groupId: `pipewatch-capture-${randomUUID()}`,
    // A one-shot read of data that is already there: do not let fetches idle for 5 s.
    maxWaitTimeInMs: 200,
  });
  const remaining = new Map(ranges.map((r) => [r.partition, r]));
  const timeoutMs = options.timeoutMs ?? 60_000;
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const left = [...remaining.keys()].join(', ');
        reject(
          new PipewatchError(
            'CAPTURE_INCOMPLETE',
            `capture of ${options.topic} did not finish within ${timeoutMs} ms (partitions ${left} unread)`,
          ),
        );
      }, timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const run = async () => {
        await consumer.subscribe({ topic: options.topic, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const range = remaining.get(batch.partition);
            if (!range) return;
            try {
              for (const message of batch.messages) {
                const offset = BigInt(message.offset);
                if (offset < range.start || offset >= range.end) continue;
                await onRecord(toTappedRecord(batch.topic, batch.partition, message));
              }
            } catch (error) {
              finish(error as Error);
              return;
            }
            if (BigInt(batch.lastOffset()) + 1n >= range.end) remaining.delete(batch.partition);
            if (remaining.size === 0) finish();
          },
        });
        for (const range of ranges) {
          consumer.seek({
            topic: options.topic,
            partition: range.partition,
            offset: range.start.toString(),
          });
        }
      };
      run().catch((error: Error) => finish(error));
    });
  } finally {
    await consumer.disconnect();
  }
}
