/**
 * Consumer-group status per partition and per group: Burrow's rules (core/internal/evaluator/
 * caching.go) judged over a time window instead of the last N commits, so a slow topic gets
 * the same window as a busy one, plus PRODUCER_IDLE, DATA_LOSS and STALE. Rules and examples:
 * docs/lag.md. The first rule that holds decides; its name is returned with the status.
 */
import { messagesLost, offsetLag, type PartitionOffsets } from './offsets.js';

export const GROUP_STATUSES = [
  'OK',
  'WARN',
  'STALL',
  'STOP',
  'REWIND',
  'PRODUCER_IDLE',
  'DATA_LOSS',
  'STALE',
] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/**
 * Severity for "group = worst partition". PRODUCER_IDLE ranks below OK: a group is idle only
 * when every partition has nothing to consume; one busy, healthy partition makes it OK.
 */
const severity: Record<GroupStatus, number> = {
  PRODUCER_IDLE: 0,
  OK: 1,
  WARN: 2,
  STALE: 3,
  REWIND: 4,
  STALL: 5,
  STOP: 6,
  DATA_LOSS: 7,
};

export function statusSeverity(status: GroupStatus): number {
  return severity[status];
}

/** One poll's offsets of a partition, for the status window. */
export interface OffsetObservation extends PartitionOffsets {
  readonly atMs: number;
}

export interface StatusOptions {
  /** Length of the judged window, in ms: the observations of (now − window, now]. */
  readonly windowMs: number;
  /** No progress with lag for this long (>= windowMs) is STOP rather than STALL, in ms. */
  readonly stopAfterMs: number;
  /** Staleness above this is STALE, in seconds (the pipeline's freshnessTargetSeconds). */
  readonly freshnessTargetSeconds: number;
}

export interface StatusVerdict {
  readonly status: GroupStatus;
  /** The rule that decided, in words (also in the API and docs/lag.md). */
  readonly rule: string;
  /** log start − committed when DATA_LOSS, else 0. */
  readonly messagesLost: number;
}

/**
 * Status of one partition from its observations (oldest first, the last one is the current
 * poll) and its current staleness (undefined when unknown). Undefined when the partition has
 * no commit: an unconsumed partition has no status, as it has no lag.
 */
export function partitionStatus(
  history: readonly OffsetObservation[],
  stalenessSeconds: number | undefined,
  nowMs: number,
  options: StatusOptions,
): StatusVerdict | undefined {
  const current = history[history.length - 1];
  if (current === undefined || current.committed === undefined) return undefined;
  const verdict = (status: GroupStatus, rule: string, lost = 0): StatusVerdict => ({
    status,
    rule,
    messagesLost: lost,
  });
  const lost = messagesLost(current) ?? 0;
  if (lost > 0) {
    return verdict(
      'DATA_LOSS',
      'committed offset below the log start: retention deleted unread records',
      lost,
    );
  }
  const inWindow = history.filter(
    (o) => o.atMs > nowMs - options.windowMs && o.committed !== undefined,
  );
  // A rewind is seen at the first poll after it: compare each in-window observation with the
  // one before it (which may be older than the window).
  for (let i = 1; i < history.length; i++) {
    const [before, after] = [history[i - 1]!, history[i]!];
    if (after.atMs <= nowMs - options.windowMs) continue;
    if (
      before.committed !== undefined &&
      after.committed !== undefined &&
      after.committed < before.committed
    ) {
      return verdict('REWIND', 'committed offset went back within the window');
    }
  }
  const lagNow = offsetLag(current)!;
  // The window counts as observed once an observation at or before its start exists.
  const covered = history.some((o) => o.atMs <= nowMs - options.windowMs);
  if (covered && lagNow > 0) {
    const since = lastProgressMs(history, current.committed);
    if (since !== undefined && nowMs - since >= options.windowMs) {
      // No commit progress for a whole window while there was something to read.
      const lags = inWindow.map((o) => offsetLag(o)!);
      if (lags.every((l) => l > 0)) {
        if (nowMs - since >= options.stopAfterMs) {
          return verdict('STOP', 'committed offset unchanged for stopAfter with lag throughout');
        }
        return verdict('STALL', 'committed offset unchanged for the window with lag throughout');
      }
    }
  }
  if (stalenessSeconds !== undefined && stalenessSeconds > options.freshnessTargetSeconds) {
    return verdict('STALE', 'oldest unconsumed record older than the freshness target');
  }
  if (covered && lagNow > 0) {
    const lags = inWindow.map((o) => offsetLag(o)!);
    const neverDecreased = lags.every((l, i) => i === 0 || l >= lags[i - 1]!);
    if (lags.length >= 2 && lags.every((l) => l > 0) && neverDecreased && lags.at(-1)! > lags[0]!) {
      return verdict('WARN', 'lag grew and never decreased within the window');
    }
  }
  if (covered && lagNow === 0 && inWindow.every((o) => o.end === current.end)) {
    return verdict('PRODUCER_IDLE', 'caught up and the end offset did not move within the window');
  }
  if (!covered) return verdict('OK', 'history shorter than the window: judged on offsets only');
  return verdict('OK', 'no rule matched');
}

/**
 * Time of the oldest observation with the current committed offset in the unbroken run of
 * them ending now: the committed offset has not moved since then. Undefined without a run.
 */
function lastProgressMs(
  history: readonly OffsetObservation[],
  committed: number,
): number | undefined {
  let since: number | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const o = history[i]!;
    if (o.committed !== committed) break;
    since = o.atMs;
  }
  return since;
}

export interface PartitionVerdict extends StatusVerdict {
  readonly topic: string;
  readonly partition: number;
}

export interface GroupVerdict {
  readonly status: GroupStatus;
  readonly rule: string;
  /** The partition that decided (the first of the worst), when any partition has a status. */
  readonly worst: PartitionVerdict | undefined;
}

/** Group = the worst partition (ties: the first in the given order); undefined when none. */
export function groupStatus(partitions: readonly PartitionVerdict[]): GroupVerdict | undefined {
  let worst: PartitionVerdict | undefined;
  for (const p of partitions) {
    if (worst === undefined || severity[p.status] > severity[worst.status]) worst = p;
  }
  if (worst === undefined) return undefined;
  return {
    status: worst.status,
    rule: `${worst.topic}/${worst.partition}: ${worst.rule}`,
    worst,
  };
}
