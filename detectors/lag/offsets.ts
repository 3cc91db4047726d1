/**
 * Offset lag and data loss, per partition. Offsets are plain numbers: Kafka offsets are int64,
 * but a partition would need 2^53 records before a double loses precision.
 */

import type { CommittedRecord } from './freshness.js';

/** What the offsets poller saw for one (group, topic, partition) at one instant. */
export interface PartitionOffsets {
  /** The group's committed offset (the next record it will read); undefined: never committed. */
  readonly committed: number | undefined;
  /** The log end offset (high watermark): one past the newest record. */
  readonly end: number;
  /** The log start offset: the oldest record retention has kept. */
  readonly logStart: number;
}

/**
 * Offset lag = max(0, end − max(committed, log start)). A partition with no commit has no lag
 * (undefined: unknown), never 0: "never consumed" must not read as "caught up". Records below
 * the log start are gone, so they are not counted as lag (they are counted by `messagesLost`).
 */
export function offsetLag(p: PartitionOffsets): number | undefined {
  if (p.committed === undefined) return undefined;
  return Math.max(0, p.end - Math.max(p.committed, p.logStart));
}

/**
 * Records retention deleted before the group read them: log start − committed when the
 * committed offset fell below the log start (DATA_LOSS), else 0; undefined without a commit.
 */
export function messagesLost(p: PartitionOffsets): number | undefined {
  if (p.committed === undefined) return undefined;
  return Math.max(0, p.logStart - p.committed);
}

/**
 * Offset lag corrected by the read of the first record at the committed offset (Burrow #651:
 * a transactional consumer commits past its last record, onto the transaction's commit
 * marker, which no consumer ever reads, so raw offset lag never reaches 0). When the read found
 * no record before the end it reached, and the end has not moved since, the lag is 0; when it
 * found the first record at offset r, offsets between committed and r are markers or
 * compacted gaps and do not count. Without a read (or with a stale one) it is `offsetLag`.
 */
export function consumableLag(
  p: PartitionOffsets,
  read: CommittedRecord | undefined,
): number | undefined {
  const lag = offsetLag(p);
  if (lag === undefined || read === undefined) return lag;
  if (read.kind === 'caught-up') return read.endOffset >= p.end ? 0 : lag;
  return Math.max(0, p.end - Math.max(p.committed!, p.logStart, read.offset));
}
