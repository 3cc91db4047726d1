/**
 * The lag runtime of one cluster: one background loop (never a Kafka call in the /metrics
 * path) that polls offsets, reads the records at new committed offsets, judges every watched
 * (pipeline, group), publishes readings on the board and saves the offset/time tables.
 * Every time comes from the injected clock; `tick()` runs one cycle (tests call it directly).
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import {
  createGroupDiscovery,
  partitionKey,
  pollOffsets,
  type CollectorOperation,
  type GroupDiscovery,
  type GroupTopics,
  type RecordReader,
} from '../../collector/index.js';
import type { LagHistoryStore } from '../../store/index.js';
import type { ReadingsBoard } from '../board.js';
import { lagDescriptors } from './descriptors.js';
import { collectorReadings, pollReadings, stalenessReadings } from './readings.js';
import { LagState, topicsOf, type PollResult, type WatchedGroup } from './state.js';
import type { CollectorHealthView, GroupLagView, LagPipeline, LagView } from './views.js';

export interface LagMonitorOptions {
  readonly admin: Admin;
  readonly reader: RecordReader;
  readonly board: ReadingsBoard;
  readonly store: LagHistoryStore;
  readonly logger: Logger;
  readonly pipelines: readonly LagPipeline[];
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly pollIntervalMs: number;
  readonly historyPoints: number;
  readonly extrapolationCapSeconds: number;
  readonly statusWindowMs: number;
  readonly stopAfterMs: number;
  readonly rateWindowMs: number;
  readonly persistIntervalMs: number;
  readonly partitionSeries: boolean;
  /** ListGroups discovery; undefined watches only the configured groups. */
  readonly discovery?: {
    readonly allow: RegExp;
    readonly deny: RegExp | undefined;
    readonly intervalMs: number;
  };
  /** Groups whose id starts with this are pipewatch's own (its tap): never discovered. */
  readonly ownGroupPrefix?: string;
}

const operations: readonly CollectorOperation[] = [
  'offset_fetch',
  'list_offsets',
  'list_groups',
  'record_read',
];

export const lagSources = {
  poll: 'lag',
  staleness: 'lag-staleness',
  collector: 'lag-collector',
} as const;

export class LagMonitor implements LagView {
  private readonly state: LagState;
  private readonly errors = new Map<string, number>(operations.map((o) => [o, 0]));
  private readonly discovery: GroupDiscovery | undefined;
  /** Discovered group → the pipelines (by name) whose topics it committed on. */
  private discovered = new Map<string, Set<string>>();
  private lastDiscoveryMs = -Infinity;
  private lastPersistMs: number;
  private lastPollAtMs: number | null = null;
  private readonly startedAtMs: number;
  private lastPollSeconds: number | null = null;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: LagMonitorOptions) {
    this.startedAtMs = options.clock();
    this.state = new LagState({
      historyPoints: options.historyPoints,
      extrapolationCapSeconds: options.extrapolationCapSeconds,
      statusWindowMs: options.statusWindowMs,
      stopAfterMs: options.stopAfterMs,
      rateWindowMs: options.rateWindowMs,
    });
    for (const d of lagDescriptors) options.board.describe(d);
    for (const saved of options.store.loadAll()) {
      this.state.restoreTable(partitionKey(saved.topic, saved.partition), saved.samples);
    }
    this.lastPersistMs = options.clock();
    if (options.discovery) {
      this.discovery = createGroupDiscovery({
        admin: options.admin,
        allow: options.discovery.allow,
        deny: options.discovery.deny,
        logger: options.logger,
        onError: (operation, error, subject) => this.countError(operation, error, subject),
      });
    }
    this.publishCollector();
  }

  /** Starts the loop: a cycle now, then one every poll interval after the previous ends. */
  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.running = this.tick()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'lag poll failed'))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.options.pollIntervalMs);
        });
    };
    loop();
  }

  /** Stops the loop, waits for a running cycle and saves the tables. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    this.persist(this.options.clock());
    for (const source of Object.values(lagSources)) this.options.board.clear(source);
  }

  /** One cycle: discover, poll offsets, read records, judge, publish, maybe persist. */
  async tick(): Promise<void> {
    const startedMs = this.options.clock();
    await this.maybeDiscover(startedMs);
    const watched = this.watched();
    const byGroup = new Map<string, Set<string>>();
    for (const w of watched) {
      const set = byGroup.get(w.group) ?? new Set<string>();
      for (const t of topicsOf(w.pipeline)) set.add(t);
      byGroup.set(w.group, set);
    }
    const groups: GroupTopics[] = [...byGroup].map(([group, topics]) => ({
      group,
      topics: [...topics],
    }));
    const snapshot = await pollOffsets({
      admin: this.options.admin,
      groups,
      topics: this.options.pipelines.flatMap(topicsOf),
      nowMs: this.options.clock,
      onError: (operation, error, subject) => this.countError(operation, error, subject),
    });
    const ends = new Map<string, { end: number; logStart: number }>();
    const partitionsByTopic = new Map<string, number[]>();
    for (const [topic, list] of snapshot.ends) {
      partitionsByTopic.set(
        topic,
        list.map((p) => p.partition).sort((a, b) => a - b),
      );
      for (const p of list)
        ends.set(partitionKey(topic, p.partition), { end: p.end, logStart: p.logStart });
    }
    const poll: PollResult = {
      atMs: snapshot.endsAtMs,
      committed: snapshot.committed,
      ends,
      partitionsByTopic,
    };
    this.state.recordEnds(poll);
    await this.readRecords(poll, watched);
    this.state.judge(poll, watched);
    const endMs = this.options.clock();
    this.lastPollAtMs = endMs;
    this.lastPollSeconds = (endMs - startedMs) / 1000;
    const views = this.state.judgedViews();
    const readingOptions = { partitionSeries: this.options.partitionSeries };
    this.options.board.publish(
      lagSources.poll,
      pollReadings(views, this.state.idleSeconds(poll.atMs), poll.atMs, readingOptions),
    );
    this.refresh(endMs);
    this.publishCollector();
    if (endMs - this.lastPersistMs >= this.options.persistIntervalMs) this.persist(endMs);
  }

  /**
   * Republishes exact staleness computed at `nowMs` from the cached record timestamps: cheap
   * (no Kafka call), run on every scrape and API read so the number has no poll-interval error.
   */
  refresh(nowMs: number): void {
    const views = this.state.groupViews(nowMs);
    this.options.board.publish(
      lagSources.staleness,
      stalenessReadings(views, nowMs, { partitionSeries: this.options.partitionSeries }),
    );
    // Read-time too, so a hung poll loop shows as down on the next scrape.
    this.publishCollector();
  }

  pipelines(): readonly LagPipeline[] {
    return this.options.pipelines.map((p) => ({
      ...p,
      groups: this.watched()
        .filter((w) => w.pipeline.name === p.name)
        .map((w) => w.group),
    }));
  }

  groups(nowMs: number): readonly GroupLagView[] {
    return this.state.groupViews(nowMs);
  }

  collector(): CollectorHealthView {
    return {
      lastPollAtMs: this.lastPollAtMs,
      lastPollSeconds: this.lastPollSeconds,
      groupDiscovery: this.discovery?.supported ? 'listgroups' : 'configured-only',
      errors: Object.fromEntries(this.errors),
    };
  }

  private watched(): WatchedGroup[] {
    const out: WatchedGroup[] = [];
    for (const pipeline of this.options.pipelines) {
      const configured = new Set(pipeline.groups);
      for (const group of configured) out.push({ pipeline, group, discovered: false });
      for (const [group, pipelines] of this.discovered) {
        if (!configured.has(group) && pipelines.has(pipeline.name)) {
          out.push({ pipeline, group, discovered: true });
        }
      }
    }
    return out;
  }

  private async maybeDiscover(nowMs: number): Promise<void> {
    const d = this.options.discovery;
    if (!this.discovery || !d || !this.discovery.supported) return;
    if (nowMs - this.lastDiscoveryMs < d.intervalMs) return;
    this.lastDiscoveryMs = nowMs;
    const ids = await this.discovery.discover();
    if (ids === undefined) return;
    const next = new Map<string, Set<string>>();
    for (const group of ids) {
      if (this.options.ownGroupPrefix && group.startsWith(this.options.ownGroupPrefix)) continue;
      try {
        // Without topics, OffsetFetch answers every topic the group has committed on.
        const answer = await this.options.admin.fetchOffsets({ groupId: group });
        const topics = new Set(answer.map((t) => t.topic));
        const pipelines = this.options.pipelines.filter((p) =>
          topicsOf(p).some((t) => topics.has(t)),
        );
        if (pipelines.length > 0) next.set(group, new Set(pipelines.map((p) => p.name)));
      } catch (error) {
        this.countError('offset_fetch', error, group);
        const known = this.discovered.get(group);
        if (known) next.set(group, known);
      }
    }
    this.discovered = next;
  }

  private async readRecords(poll: PollResult, watched: readonly WatchedGroup[]): Promise<void> {
    const needed = this.state.recordsNeeded(poll, watched);
    // One read set holds one offset per partition; groups at other offsets go in later sets.
    while (needed.length > 0) {
      const set = new Map<string, (typeof needed)[number]>();
      const rest: typeof needed = [];
      for (const n of needed) {
        const key = partitionKey(n.topic, n.partition);
        if (set.has(key)) rest.push(n);
        else set.set(key, n);
      }
      needed.splice(0, needed.length, ...rest);
      let results;
      try {
        results = await this.options.reader.read([...set.values()]);
      } catch (error) {
        this.countError('record_read', error, 'read set');
        return;
      }
      let failed = 0;
      for (const [key, n] of set) {
        const r = results.get(key);
        if (r === undefined || r.kind === 'error') failed++;
        else this.state.recordRead(n, r);
      }
      if (failed > 0) {
        this.countError(
          'record_read',
          new Error(`${failed} of ${set.size} partitions unanswered`),
          'read set',
        );
      }
    }
  }

  private countError(operation: CollectorOperation, error: unknown, subject: string): void {
    this.errors.set(operation, (this.errors.get(operation) ?? 0) + 1);
    this.options.logger.warn({ operation, subject, err: error }, `collector ${operation} failed`);
  }

  private publishCollector(): void {
    this.options.board.publish(
      lagSources.collector,
      collectorReadings(this.collector(), this.options.clock(), {
        startedAtMs: this.startedAtMs,
        pollIntervalMs: this.options.pollIntervalMs,
      }),
    );
  }

  private persist(nowMs: number): void {
    const dirty = [...this.state.dirtyTables];
    if (dirty.length === 0) return;
    try {
      this.options.store.saveAll(
        dirty.map((key) => {
          const slash = key.lastIndexOf('/');
          return {
            topic: key.slice(0, slash),
            partition: Number(key.slice(slash + 1)),
            samples: this.state.tables.get(key) ?? [],
          };
        }),
        nowMs,
      );
      this.state.dirtyTables.clear();
      this.lastPersistMs = nowMs;
    } catch (error) {
      this.options.logger.error({ err: error }, 'saving the lag offset/time tables failed');
    }
  }
}
