/**
 * The lag runtime's state, without I/O: the offset/time table per partition, the committed
 * offset history per (group, partition), the cache of records read at committed offsets, and
 * the views computed from them. monitor/lag/runtime.ts feeds it polls and publishes from it.
 */
import {
  addEndOffsetSample,
  consumableLag,
  consumeRatePerSecond,
  drainSeconds,
  groupStatus,
  interpolatedTimeLag,
  messagesLost,
  partitionStatus,
  producerIdleSeconds,
  produceRatePerSecond,
  stalenessSeconds,
  type CommittedRecord,
  type EndOffsetTable,
  type OffsetObservation,
  type PartitionVerdict,
} from '../../detectors/index.js';
import type { GroupLagView, LagPipeline, PartitionLagView } from './views.js';

export interface LagStateOptions {
  readonly historyPoints: number;
  readonly extrapolationCapSeconds: number;
  readonly statusWindowMs: number;
  readonly stopAfterMs: number;
  readonly rateWindowMs: number;
}

/** Offsets of one poll, in the runtime's own terms (see collector's OffsetsSnapshot). */
export interface PollResult {
  readonly atMs: number;
  /** Per group: `topic/partition` → committed offset; a group absent here failed this poll. */
  readonly committed: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** `topic/partition` → end and log start; a partition absent here failed (or has no topic). */
  readonly ends: ReadonlyMap<string, { readonly end: number; readonly logStart: number }>;
  /** Partitions per topic, for the topics whose end offsets were read. */
  readonly partitionsByTopic: ReadonlyMap<string, readonly number[]>;
}

/** A (pipeline, group) pair to judge. */
export interface WatchedGroup {
  readonly pipeline: LagPipeline;
  readonly group: string;
  readonly discovered: boolean;
}

export interface RecordNeeded {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

const sep = '\u0000';

export class LagState {
  readonly tables = new Map<string, EndOffsetTable>();
  readonly dirtyTables = new Set<string>();
  private readonly history = new Map<string, OffsetObservation[]>();
  private reads = new Map<string, CommittedRecord>();
  private views: GroupLagView[] = [];
  private lastPoll: PollResult | undefined;

  constructor(private readonly options: LagStateOptions) {}

  restoreTable(key: string, table: EndOffsetTable): void {
    this.tables.set(key, table);
  }

  /** Adds the poll's end offsets to the tables. */
  recordEnds(poll: PollResult): void {
    this.lastPoll = poll;
    for (const [key, { end }] of poll.ends) {
      const before = this.tables.get(key) ?? [];
      const after = addEndOffsetSample(
        before,
        { endOffset: end, atMs: poll.atMs },
        this.options.historyPoints,
      );
      if (after !== before) {
        this.tables.set(key, after);
        this.dirtyTables.add(key);
      }
    }
  }

  /**
   * Reads still needed for this poll: the first record at max(committed, log start) of each
   * partition with lag, unless it was read before (a caught-up answer holds only while the end
   * offset has not moved past it). Cached answers no group needs any more are dropped.
   */
  recordsNeeded(poll: PollResult, watched: readonly WatchedGroup[]): RecordNeeded[] {
    const keep = new Map<string, CommittedRecord>();
    const needed = new Map<string, RecordNeeded>();
    for (const w of watched) {
      const committed = poll.committed.get(w.group);
      if (!committed) continue;
      for (const [key, offset] of committed) {
        const ends = poll.ends.get(key);
        if (!ends) continue;
        const at = Math.max(offset, ends.logStart);
        if (at >= ends.end) continue;
        const readKey = `${key}@${at}`;
        const cached = this.reads.get(readKey);
        if (cached && (cached.kind === 'record' || cached.endOffset >= ends.end)) {
          keep.set(readKey, cached);
          continue;
        }
        const slash = key.lastIndexOf('/');
        needed.set(readKey, {
          topic: key.slice(0, slash),
          partition: Number(key.slice(slash + 1)),
          offset: at,
        });
      }
    }
    this.reads = keep;
    return [...needed.values()];
  }

  recordRead(need: RecordNeeded, result: CommittedRecord): void {
    this.reads.set(`${need.topic}/${need.partition}@${need.offset}`, result);
  }

  /** Appends the poll's observations and recomputes every group's view at the poll time. */
  judge(poll: PollResult, watched: readonly WatchedGroup[]): void {
    const nowMs = poll.atMs;
    const views: GroupLagView[] = [];
    const keepMs = this.options.stopAfterMs + this.options.statusWindowMs;
    const seen = new Set<string>();
    for (const w of watched) {
      const committed = poll.committed.get(w.group);
      if (!committed) {
        views.push(emptyView(w, false));
        continue;
      }
      const partitions: PartitionLagView[] = [];
      const verdicts: PartitionVerdict[] = [];
      for (const topic of topicsOf(w.pipeline)) {
        for (const partition of poll.partitionsByTopic.get(topic) ?? []) {
          const key = `${topic}/${partition}`;
          const ends = poll.ends.get(key)!;
          const historyKey = `${w.group}${sep}${key}`;
          if (!seen.has(historyKey)) {
            seen.add(historyKey);
            const list = this.history.get(historyKey) ?? [];
            list.push({ atMs: nowMs, committed: committed.get(key), ...ends });
            // Keep stopAfter + window, plus the one observation older than that.
            while (list.length > 2 && list[1]!.atMs <= nowMs - keepMs) list.shift();
            this.history.set(historyKey, list);
          }
          const view = this.partitionView(
            w,
            key,
            topic,
            partition,
            committed.get(key),
            ends,
            nowMs,
          );
          partitions.push(view);
          if (view.status !== null) {
            verdicts.push({
              topic,
              partition,
              status: view.status,
              rule: view.rule!,
              messagesLost: view.messagesLost,
            });
          }
        }
      }
      const g = groupStatus(verdicts);
      const known = partitions.filter((p) => p.lagMessages !== null);
      views.push({
        pipeline: w.pipeline.name,
        group: w.group,
        polled: true,
        discovered: w.discovered,
        status: g?.status ?? null,
        rule: g?.rule ?? null,
        worstPartition: g?.worst ? { topic: g.worst.topic, partition: g.worst.partition } : null,
        lagMessages: known.length > 0 ? known.reduce((s, p) => s + p.lagMessages!, 0) : null,
        maxStalenessSeconds: maxOf(partitions.map((p) => p.staleness?.seconds)),
        drainSeconds: this.drain(partitions),
        polledAtMs: nowMs,
        partitions,
      });
    }
    // Forget the history of (group, partition) pairs no longer watched; a group whose
    // OffsetFetch or a topic whose ListOffsets failed this poll keeps its history.
    const failed = new Set(watched.filter((w) => !poll.committed.has(w.group)).map((w) => w.group));
    for (const key of this.history.keys()) {
      if (seen.has(key)) continue;
      const group = key.slice(0, key.indexOf(sep));
      const partitionKey = key.slice(key.indexOf(sep) + 1);
      const topic = partitionKey.slice(0, partitionKey.lastIndexOf('/'));
      if (!failed.has(group) && poll.partitionsByTopic.has(topic)) this.history.delete(key);
    }
    this.views = views;
  }

  /** The views of the last poll as judged (staleness at the poll time). */
  judgedViews(): readonly GroupLagView[] {
    return this.views;
  }

  /** The views of the last poll, with exact staleness recomputed at `nowMs`. */
  groupViews(nowMs: number): GroupLagView[] {
    return this.views.map((v) => {
      const partitions = v.partitions.map((p) => {
        if (!p.staleness || p.staleness.recordTimestampMs === null) return p;
        const seconds = stalenessSeconds(
          {
            kind: 'record',
            offset: p.staleness.recordOffset!,
            timestampMs: p.staleness.recordTimestampMs,
          },
          nowMs,
        );
        return { ...p, staleness: { ...p.staleness, seconds } };
      });
      return {
        ...v,
        partitions,
        maxStalenessSeconds: maxOf(partitions.map((p) => p.staleness?.seconds)),
      };
    });
  }

  /** Seconds since each polled partition's end offset last moved. */
  idleSeconds(nowMs: number): Map<string, number> {
    const out = new Map<string, number>();
    if (!this.lastPoll) return out;
    for (const key of this.lastPoll.ends.keys()) {
      const idle = producerIdleSeconds(this.tables.get(key) ?? [], nowMs);
      if (idle !== undefined) out.set(key, idle);
    }
    return out;
  }

  private partitionView(
    w: WatchedGroup,
    key: string,
    topic: string,
    partition: number,
    committed: number | undefined,
    ends: { end: number; logStart: number },
    nowMs: number,
  ): PartitionLagView {
    const offsets = { committed, ...ends };
    const table = this.tables.get(key) ?? [];
    const base = {
      topic,
      partition,
      committedOffset: committed ?? null,
      endOffset: ends.end,
      logStartOffset: ends.logStart,
      producerIdleSeconds: producerIdleSeconds(table, nowMs) ?? null,
      produceRatePerSecond: produceRatePerSecond(table, this.options.rateWindowMs) ?? null,
    };
    if (committed === undefined) {
      return {
        ...base,
        consumeRatePerSecond: null,
        lagMessages: null,
        staleness: null,
        timeLag: null,
        status: null,
        rule: null,
        messagesLost: 0,
      };
    }
    const at = Math.max(committed, ends.logStart);
    const read: CommittedRecord | undefined =
      at >= ends.end ? { kind: 'caught-up', endOffset: ends.end } : this.reads.get(`${key}@${at}`);
    const lag = consumableLag(offsets, read)!;
    const staleness =
      read === undefined
        ? null
        : {
            seconds: lag === 0 ? 0 : stalenessSeconds(read, nowMs),
            method: 'exact' as const,
            recordOffset: read.kind === 'record' && lag > 0 ? read.offset : null,
            recordTimestampMs: read.kind === 'record' && lag > 0 ? read.timestampMs : null,
          };
    const timeLag =
      lag === 0
        ? { seconds: 0, method: 'interpolated' as const, errorSeconds: 0 }
        : interpolatedTimeLag(table, at, nowMs, this.options.extrapolationCapSeconds);
    const history = this.history.get(`${w.group}${sep}${key}`) ?? [];
    const verdict = partitionStatus(history, staleness?.seconds, nowMs, {
      windowMs: this.options.statusWindowMs,
      stopAfterMs: this.options.stopAfterMs,
      freshnessTargetSeconds: w.pipeline.freshnessTargetSeconds,
    });
    return {
      ...base,
      consumeRatePerSecond: consumeRatePerSecond(history, this.options.rateWindowMs) ?? null,
      lagMessages: lag,
      staleness,
      timeLag: timeLag ?? null,
      status: verdict?.status ?? null,
      rule: verdict?.rule ?? null,
      messagesLost: messagesLost(offsets) ?? 0,
    };
  }

  /** Time to drain per topic: summed lag ÷ (summed consume rate − summed produce rate). */
  private drain(partitions: readonly PartitionLagView[]): Record<string, number> {
    const byTopic = new Map<
      string,
      { lag: number; consume: number; produce: number; known: boolean }
    >();
    for (const p of partitions) {
      if (p.lagMessages === null) continue;
      const t = byTopic.get(p.topic) ?? { lag: 0, consume: 0, produce: 0, known: true };
      t.lag += p.lagMessages;
      if (p.consumeRatePerSecond === null || p.produceRatePerSecond === null) t.known = false;
      else {
        t.consume += p.consumeRatePerSecond;
        t.produce += p.produceRatePerSecond;
      }
      byTopic.set(p.topic, t);
    }
    const out: Record<string, number> = {};
    for (const [topic, t] of byTopic) {
      const d = t.lag === 0 ? 0 : t.known ? drainSeconds(t.lag, t.consume, t.produce) : undefined;
      if (d !== undefined) out[topic] = d;
    }
    return out;
  }
}

export function topicsOf(p: LagPipeline): string[] {
  return [...new Set([...p.rawTopics, ...p.featureTopics, ...p.dlqTopics])];
}

function emptyView(w: WatchedGroup, polled: boolean): GroupLagView {
  return {
    pipeline: w.pipeline.name,
    group: w.group,
    polled,
    discovered: w.discovered,
    status: null,
    rule: null,
    worstPartition: null,
    lagMessages: null,
    maxStalenessSeconds: null,
    drainSeconds: {},
    polledAtMs: null,
    partitions: [],
  };
}

function maxOf(values: readonly (number | undefined)[]): number | null {
  let max: number | null = null;
  for (const v of values) if (v !== undefined && (max === null || v > max)) max = v;
  return max;
}
