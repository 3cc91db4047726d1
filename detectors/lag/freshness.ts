/**
 * Staleness, consume rate and time to drain: the freshness numbers besides the interpolated
 * time lag (time-lag.ts).
 */
import type { OffsetObservation } from './status.js';

/**
 * What reading the record at the committed offset found: the timestamp of the first record at
 * an offset >= committed (transaction markers and compacted gaps stepped over), or that no
 * record exists before the end offset (caught up: e.g. only a transaction's commit marker is
 * left, which a transactional consumer never reads).
 */
export type CommittedRecord =
  | { readonly kind: 'record'; readonly offset: number; readonly timestampMs: number }
  | {
      readonly kind: 'caught-up';
      /** The end offset the read reached: the answer holds while the end offset stays there. */
      readonly endOffset: number;
    };

/**
 * Staleness in seconds, method exact: now − timestamp of the oldest unconsumed record, 0 when
 * caught up. Record timestamps are the producer's (CreateTime) or the broker's (LogAppendTime);
 * a timestamp ahead of `nowMs` (clock skew) gives 0, never a negative age.
 */
export function stalenessSeconds(record: CommittedRecord, nowMs: number): number {
  if (record.kind === 'caught-up') return 0;
  return Math.max(0, (nowMs - record.timestampMs) / 1000);
}

/**
 * Records per second the group committed over the observations no older than `windowMs`
 * before the newest (plus the one just before, so the rate spans the window). Undefined with
 * fewer than two observations with commits; a rewind counts as 0 progress, not negative.
 */
export function consumeRatePerSecond(
  history: readonly OffsetObservation[],
  windowMs: number,
): number | undefined {
  const withCommit = history.filter((o) => o.committed !== undefined);
  const newest = withCommit[withCommit.length - 1];
  if (newest === undefined) return undefined;
  let startIdx = withCommit.findIndex((o) => o.atMs >= newest.atMs - windowMs);
  if (startIdx > 0) startIdx -= 1;
  const start = withCommit[Math.max(0, startIdx)]!;
  if (start.atMs === newest.atMs) return undefined;
  const progressed = Math.max(0, newest.committed! - start.committed!);
  return (progressed * 1000) / (newest.atMs - start.atMs);
}

/**
 * Time to drain in seconds = lag ÷ (consume rate − produce rate) when the group gains on the
 * producer; 0 when there is no lag; undefined when it does not gain (it will never drain at the
 * current rates) or a rate is unknown.
 */
export function drainSeconds(
  lagMessages: number,
  consumePerSecond: number | undefined,
  producePerSecond: number | undefined,
): number | undefined {
  if (lagMessages === 0) return 0;
  if (consumePerSecond === undefined || producePerSecond === undefined) return undefined;
  const gain = consumePerSecond - producePerSecond;
  return gain > 0 ? lagMessages / gain : undefined;
}
