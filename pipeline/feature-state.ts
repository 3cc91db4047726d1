const minuteMs = 60_000;
const hourMs = 3_600_000;
/** The longest window: a record older than this (in event time) no longer shapes any feature. */
export const longestWindowMs = hourMs;

/** Where a record was read: its raw-topic partition and offset. */
export interface RecordPosition {
  readonly partition: number;
  readonly offset: number;
}

/**
 * One undo entry per folded record: the record's position and the window scalars as they were
 * just before it was folded. Stored flat (stride `undoStride`) to keep per-record cost low.
 */
const undoStride = 10;
const U = {
  Partition: 0,
  Offset: 1,
  End: 2,
  Start1m: 3,
  Start1h: 4,
  Spend1m: 5,
  Spend1h: 6,
  LatestMs: 7,
  RebasedAt: 8,
  LastOffset: 9,
} as const;

/**
 * Per-account sliding windows (1 minute, 1 hour) over event time. Events of an account are
 * expected in roughly increasing event time; windows end at the latest event time seen for the
 * account, so a late event counts within the windows of the newest one.
 *
 * Indices are absolute (entry number since the account was created) so that an undo entry stays
 * valid when old entries are physically dropped. Sums are re-computed ("rebased") at points
 * that depend only on the logical window state, so replaying the same records after a rollback
 * gives bit-identical sums.
 */
export class AccountWindows {
  private times: number[] = [];
  private amounts: number[] = [];
  /** Absolute index of times[0]: entries physically dropped so far. */
  private base = 0;
  start1m = 0;
  start1h = 0;
  spend1m = 0;
  spend1h = 0;
  latestMs = Number.NEGATIVE_INFINITY;
  /** start1h at the last rebase (re-sum). */
  private rebasedAt = 0;
  /** Partition and offset of the newest folded record; -1 when none was positioned. */
  lastPartition = -1;
  lastOffset = -1;
  /** Undo entries of records not yet known to be committed, oldest first. */
  undo: number[] = [];
  /** Newest offset folded before the last rollback: folds up to it are replays. */
  replayUntil = -1;
  /** latestMs just before the last fold (for seconds_since_last_txn). */
  previousLatestMs = Number.NEGATIVE_INFINITY;

  get end(): number {
    return this.base + this.times.length;
  }

  get count1m(): number {
    return this.end - this.start1m;
  }

  get count1h(): number {
    return this.end - this.start1h;
  }

  add(timeMs: number, amountUsd: number): void {
    this.times.push(timeMs);
    this.amounts.push(amountUsd);
    this.spend1m += amountUsd;
    this.spend1h += amountUsd;
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    const end = this.end;
    const base = this.base;
    while (this.start1m < end && this.times[this.start1m - base]! <= this.latestMs - minuteMs) {
      this.spend1m -= this.amounts[this.start1m++ - base]!;
    }
    while (this.start1h < end && this.times[this.start1h - base]! <= this.latestMs - hourMs) {
      this.spend1h -= this.amounts[this.start1h++ - base]!;
    }
    const evicted = this.start1h - this.rebasedAt;
    if (evicted > 256 && evicted * 2 > end - this.rebasedAt) this.rebase();
  }

  /** Saves the scalars before folding the record at `position` (see `rollBackTo`). */
  remember(position: RecordPosition): void {
    this.undo.push(
      position.partition,
      position.offset,
      this.end,
      this.start1m,
      this.start1h,
      this.spend1m,
      this.spend1h,
      this.latestMs,
      this.rebasedAt,
      this.lastOffset,
    );
    this.lastPartition = position.partition;
    this.lastOffset = position.offset;
  }

  /**
   * A record at `position` arrives again (a replay from committed offsets): restores the state
   * to just before the first remembered record of that partition at or after that offset.
   * Returns false when the record was folded before but its undo entry is already forgotten.
   */
  rollBackTo(position: RecordPosition): boolean {
    if (this.lastPartition !== position.partition || position.offset > this.lastOffset) {
      return true; // not a replay
    }
    let k = this.undo.length;
    while (
      k > 0 &&
      this.undo[k - undoStride + U.Partition] === position.partition &&
      this.undo[k - undoStride + U.Offset]! >= position.offset
    ) {
      k -= undoStride;
    }
    if (k === this.undo.length) return false;
    const u = this.undo;
    this.times.length = u[k + U.End]! - this.base;
    this.amounts.length = this.times.length;
    this.start1m = u[k + U.Start1m]!;
    this.start1h = u[k + U.Start1h]!;
    this.spend1m = u[k + U.Spend1m]!;
    this.spend1h = u[k + U.Spend1h]!;
    this.latestMs = u[k + U.LatestMs]!;
    this.rebasedAt = u[k + U.RebasedAt]!;
    this.lastOffset = u[k + U.LastOffset]!;
    if (this.lastOffset < 0) this.lastPartition = -1;
    u.length = k;
    return this.lastPartition !== position.partition || position.offset > this.lastOffset;
  }

  /** Forgets undo entries of records below the committed offsets; true when none is left. */
  forgetBefore(committed: ReadonlyMap<number, number>): boolean {
    let k = 0;
    while (k < this.undo.length) {
      const below = committed.get(this.undo[k + U.Partition]!);
      if (below === undefined || this.undo[k + U.Offset]! >= below) break;
      k += undoStride;
    }
    if (k > 0) this.undo.splice(0, k);
    return this.undo.length === 0;
  }

  /**
   * Re-sums both windows (clears rounding drift and overflow) and drops evicted entries no
   * remembered state can need again.
   */
  private rebase(): void {
    this.rebasedAt = this.start1h;
    let sum1h = 0;
    for (let i = this.start1h; i < this.end; i++) sum1h += this.amounts[i - this.base]!;
    let sum1m = 0;
    for (let i = this.start1m; i < this.end; i++) sum1m += this.amounts[i - this.base]!;
    this.spend1h = sum1h;
    this.spend1m = sum1m;
    const oldestNeeded = this.undo.length > 0 ? this.undo[U.Start1h]! : this.start1h;
    const drop = Math.min(this.start1h, oldestNeeded) - this.base;
    if (drop > 0) {
      this.times = this.times.slice(drop);
      this.amounts = this.amounts.slice(drop);
      this.base += drop;
    }
  }
}

/**
 * State carried from batch to batch: the windows of every account seen in the last hour of
 * event time. Accounts idle for more than an hour are dropped now and then.
 *
 * Replays: a consumer that re-reads from its committed offsets after a failed write passes each
 * record's position. A record already folded is then not counted twice: the account's windows
 * are first restored to what they were just before that record, so the replayed features equal
 * the first ones. Call `forgetBefore` with committed offsets to bound the undo memory.
 */
export class FeatureState {
  readonly accounts = new Map<string, AccountWindows>();
  private latestMs = Number.NEGATIVE_INFINITY;
  private updates = 0;
  /** Accounts that hold undo entries. */
  private readonly remembering = new Set<AccountWindows>();
  private readonly committed = new Map<number, number>();
  /** Records read again (offset at or below one already folded for their account). */
  replayedRecords = 0;
  /**
   * Replayed records whose undo entry was already forgotten (the replay started below an
   * offset believed committed): not folded again, so the windows stay single-counted, but the
   * features of that record are computed from the newer state.
   */
  inexactReplays = 0;

  windows(accountId: string): AccountWindows {
    let w = this.accounts.get(accountId);
    if (!w) {
      w = new AccountWindows();
      this.accounts.set(accountId, w);
    }
    return w;
  }

  /**
   * Folds one event into its account's windows, returning them. With a position, a replayed
   * record first rolls the windows back (see the class comment).
   */
  fold(
    accountId: string,
    timeMs: number,
    amountUsd: number,
    position?: RecordPosition,
  ): AccountWindows {
    const w = this.windows(accountId);
    if (position) {
      const replay = w.lastPartition === position.partition && position.offset <= w.lastOffset;
      if (replay) {
        w.replayUntil = Math.max(w.replayUntil, w.lastOffset);
        if (!w.rollBackTo(position)) {
          this.inexactReplays++;
          w.previousLatestMs = w.latestMs;
          return w;
        }
      }
      if (w.lastPartition === position.partition && position.offset <= w.replayUntil) {
        this.replayedRecords++;
      } else if (replay) this.replayedRecords++;
      w.remember(position);
      this.remembering.add(w);
    }
    w.previousLatestMs = w.latestMs;
    w.add(timeMs, amountUsd);
    this.noteTime(timeMs);
    return w;
  }

  /**
   * Folds a record of committed history (a warm-up read below the committed offset): no undo
   * entry, since nothing will replay it, but its position, so a later record of the account at
   * a higher offset is new and one at or below it is recognised.
   */
  foldCommitted(
    accountId: string,
    timeMs: number,
    amountUsd: number,
    position: RecordPosition,
  ): void {
    const w = this.windows(accountId);
    w.lastPartition = position.partition;
    w.lastOffset = position.offset;
    w.previousLatestMs = w.latestMs;
    w.add(timeMs, amountUsd);
    this.noteTime(timeMs);
  }

  /**
   * Forgets every account last read from `partition` (before warming it again: another instance
   * processed it meanwhile, so what is held here is stale). Returns how many were dropped.
   */
  dropPartition(partition: number): number {
    let dropped = 0;
    for (const [account, w] of this.accounts) {
      if (w.lastPartition !== partition) continue;
      this.accounts.delete(account);
      this.remembering.delete(w);
      dropped++;
    }
    return dropped;
  }

  /** Records below these offsets (next offset to read, per partition) will not be replayed. */
  forgetBefore(offsets: readonly RecordPosition[]): void {
    for (const o of offsets) {
      if (o.offset > (this.committed.get(o.partition) ?? -1)) {
        this.committed.set(o.partition, o.offset);
      }
    }
    for (const w of this.remembering) {
      if (w.forgetBefore(this.committed)) this.remembering.delete(w);
    }
  }

  /** Undo entries held, for tests and memory checks. */
  get rememberedRecords(): number {
    let n = 0;
    for (const w of this.remembering) n += w.undo.length / undoStride;
    return n;
  }

  private noteTime(timeMs: number): void {
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    if (++this.updates % 100_000 === 0) this.evictIdle();
  }

  private evictIdle(): void {
    for (const [account, w] of this.accounts) {
      if (w.latestMs <= this.latestMs - hourMs && w.undo.length === 0) {
        this.accounts.delete(account);
      }
    }
  }
}
