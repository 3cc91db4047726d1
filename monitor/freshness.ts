/**
 * Pipeline freshness, end to end and without client instrumentation: now − the newest source
 * event time seen on the pipeline's feature topics (the reference pipeline's feature records
 * carry `event_time_ms`). A tap sink keeps the newest event time per pipeline; the number is
 * computed from it whenever it is read (`freshnessSeconds`, and the board readings on every
 * publish), so it carries no poll error of its own, only the publish period on the board.
 */
import type { Logger } from 'pino';
import type { DecodedRecord, RecordSink } from '../collector/index.js';
import type { Reading, ReadingsBoard } from './board.js';

export interface FreshnessPipeline {
  readonly name: string;
  readonly featureTopics: readonly string[];
  /** Field with the event time in epoch ms. Default `event_time_ms`. */
  readonly eventTimeField?: string;
}

export interface FreshnessMonitorOptions {
  readonly pipelines: readonly FreshnessPipeline[];
  readonly board: ReadingsBoard;
  /** Publish period, ms. */
  readonly intervalMs: number;
  /**
   * Event times further ahead of now than this are ignored (a producer's clock or a bad value
   * would otherwise pin freshness at 0), in ms.
   */
  readonly maxFutureSkewMs: number;
  readonly logger: Logger;
  readonly nowMs?: () => number;
}

export const freshnessMetricName = 'pipewatch_pipeline_freshness_seconds';
export const defaultEventTimeField = 'event_time_ms';

interface Tracker {
  readonly pipeline: string;
  readonly field: string;
  newestEventTimeMs: number | undefined;
  /** Feature records without a usable event time (missing, not a number, too far ahead). */
  ignored: number;
}

/** A usable event time (epoch ms, finite, not negative) from a payload field, else undefined. */
export function eventTimeOf(value: unknown): number | undefined {
  const n = typeof value === 'bigint' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export class FreshnessMonitor {
  readonly sink: RecordSink;
  private readonly trackers: Tracker[];
  private readonly byTopic = new Map<string, Tracker[]>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FreshnessMonitorOptions) {
    this.now = options.nowMs ?? Date.now;
    this.trackers = options.pipelines.map((p) => ({
      pipeline: p.name,
      field: p.eventTimeField ?? defaultEventTimeField,
      newestEventTimeMs: undefined,
      ignored: 0,
    }));
    options.pipelines.forEach((p, i) => {
      for (const topic of p.featureTopics) {
        const list = this.byTopic.get(topic) ?? [];
        list.push(this.trackers[i]!);
        this.byTopic.set(topic, list);
      }
    });
    options.board.describe({
      name: freshnessMetricName,
      help: 'Now minus the newest source event time seen on the pipeline feature topics, in seconds.',
      type: 'gauge',
      labelNames: ['pipeline'],
    });
    this.sink = { name: 'freshness', onRecord: (record, nowMs) => this.onRecord(record, nowMs) };
  }

  onRecord(record: DecodedRecord, nowMs: number): void {
    const trackers = this.byTopic.get(record.topic);
    if (!trackers) return;
    for (const t of trackers) {
      const eventTimeMs = eventTimeOf(record.payload[t.field]);
      if (eventTimeMs === undefined || eventTimeMs > nowMs + this.options.maxFutureSkewMs) {
        t.ignored++;
        continue;
      }
      if (t.newestEventTimeMs === undefined || eventTimeMs > t.newestEventTimeMs) {
        t.newestEventTimeMs = eventTimeMs;
      }
    }
  }

  /** now − newest event time, in seconds (0 when the newest is ahead); undefined before any. */
  freshnessSeconds(pipeline: string, nowMs: number): number | undefined {
    const t = this.trackers.find((x) => x.pipeline === pipeline);
    if (t?.newestEventTimeMs === undefined) return undefined;
    return Math.max(0, nowMs - t.newestEventTimeMs) / 1000;
  }

  /** Per pipeline: the newest event time and the records whose event time was unusable. */
  state(): { pipeline: string; newestEventTimeMs: number | undefined; ignoredRecords: number }[] {
    return this.trackers.map((t) => ({
      pipeline: t.pipeline,
      newestEventTimeMs: t.newestEventTimeMs,
      ignoredRecords: t.ignored,
    }));
  }

  readings(nowMs: number): Reading[] {
    const out: Reading[] = [];
    for (const t of this.trackers) {
      const value = this.freshnessSeconds(t.pipeline, nowMs);
      if (value === undefined) continue;
      out.push({ name: freshnessMetricName, labels: { pipeline: t.pipeline }, value, atMs: nowMs });
    }
    return out;
  }

  publish(nowMs: number): void {
    this.options.board.publish('freshness', this.readings(nowMs));
  }

  start(): void {
    this.publish(this.now());
    this.timer = setInterval(() => {
      try {
        this.publish(this.now());
      } catch (error) {
        this.options.logger.error({ err: error }, 'publishing freshness failed');
      }
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.options.board.clear('freshness');
  }
}
