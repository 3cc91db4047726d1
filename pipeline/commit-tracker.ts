import type { OffsetToCommit } from '../kafka/index.js';

interface TrackedBatch {
  readonly offsets: readonly OffsetToCommit[];
  acknowledged: boolean;
}

/**
 * Which offsets are safe to commit. Batches finish out of order (their outputs go to different
 * partitions), but a partition's offset may only move past a batch once that batch and every
 * batch read before it are acknowledged: the committable position is the acknowledged prefix.
 */
export class CommitTracker {
  private readonly inOrder: TrackedBatch[] = [];
  private readonly committable = new Map<string, OffsetToCommit>();
  private dirty = false;

  /** Registers a batch in read order; call `acknowledge` with the handle once it is durable. */
  add(offsets: readonly OffsetToCommit[]): object {
    const batch: TrackedBatch = { offsets, acknowledged: false };
    this.inOrder.push(batch);
    return batch;
  }

  acknowledge(handle: object): void {
    (handle as TrackedBatch).acknowledged = true;
    while (this.inOrder[0]?.acknowledged) {
      for (const o of this.inOrder.shift()!.offsets) {
        this.committable.set(`${o.topic}\u0000${o.partition}`, o);
        this.dirty = true;
      }
    }
  }

  /** Offsets not yet handed out by `take` (each partition's latest), or none. */
  take(): OffsetToCommit[] {
    if (!this.dirty) return [];
    this.dirty = false;
    return [...this.committable.values()];
  }

  /** Forgets unacknowledged batches (after a failed write: they will be read again). */
  reset(): void {
    this.inOrder.length = 0;
  }

  get inFlight(): number {
    return this.inOrder.length;
  }
}

/** The next offset per partition of a batch (last offset + 1). */
export function nextOffsets(
  records: readonly { topic: string; partition: number; offset: number }[],
): OffsetToCommit[] {
  const next = new Map<string, OffsetToCommit>();
  for (const r of records) {
    next.set(`${r.topic}\u0000${r.partition}`, {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset + 1,
    });
  }
  return [...next.values()];
}
