/**
 * DLQ rate at run time: a tap sink counts every source record and attributes every DLQ record
 * (collector/dlq), a pure detector per pipeline keeps the windows (detectors/dlq), and a timer
 * publishes the readings on the board. The windows are saved to SQLite periodically and at stop
 * and restored at start, so a restart keeps the 5m/1h ratios.
 */
import type { Logger } from 'pino';
import {
  attributeDlqRecord,
  dlqErrorTypes,
  type TappedRecord,
  type TappedRecordSink,
} from '../../collector/index.js';
import {
  DlqRateDetector,
  type CountWindowSpec,
  type DlqRateEvaluation,
} from '../../detectors/index.js';
import type { DlqWindowStore } from '../../store/index.js';
import type { Reading, ReadingsBoard } from '../board.js';

export interface DlqWatchedPipeline {
  readonly name: string;
  readonly rawTopics: readonly string[];
  readonly dlqTopics: readonly string[];
}

export interface DlqMonitorOptions {
  readonly pipelines: readonly DlqWatchedPipeline[];
  readonly board: ReadingsBoard;
  /** Where windows survive restarts; without it nothing is saved or restored. */
  readonly store?: DlqWindowStore;
  readonly windows: readonly CountWindowSpec[];
  /** See config `dlq.maxTimestampSkewSeconds`, in ms. */
  readonly maxSkewMs: number;
  /** Publish period, ms. */
  readonly evaluateIntervalMs: number;
  /** Save period, ms. */
  readonly persistIntervalMs: number;
  readonly logger: Logger;
  /** Clock of the timers; default Date.now. */
  readonly nowMs?: () => number;
}

/** `source_topic` of a DLQ record whose headers name no source topic. */
export const unknownSourceTopic = 'unknown';
/** `source_topic` of a DLQ record naming a topic the pipeline does not list as raw. */
export const otherSourceTopic = 'other';

export const dlqMetricNames = {
  records: 'pipewatch_dlq_records_total',
  ratio: 'pipewatch_dlq_ratio',
  ratioByErrorType: 'pipewatch_dlq_ratio_by_error_type',
} as const;

interface Watched {
  readonly pipeline: DlqWatchedPipeline;
  readonly detector: DlqRateDetector;
  /** The `source_topic` values whose counters start at 0 (none when the pipeline has no DLQ). */
  readonly zeroSources: readonly string[];
  /** Unlisted source topics already logged (bounded). */
  readonly reported: Set<string>;
}

export class DlqMonitor {
  readonly sink: TappedRecordSink;
  private readonly watched: Watched[];
  private readonly bySourceTopic = new Map<string, Watched[]>();
  private readonly byDlqTopic = new Map<string, Watched[]>();
  private readonly now: () => number;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: DlqMonitorOptions) {
    this.now = options.nowMs ?? Date.now;
    this.watched = options.pipelines.map((pipeline) => ({
      pipeline,
      detector: new DlqRateDetector({
        sourceTopics: pipeline.rawTopics,
        windows: options.windows,
        maxSkewMs: options.maxSkewMs,
      }),
      zeroSources: zeroSourceTopics(pipeline),
      reported: new Set<string>(),
    }));
    for (const w of this.watched) {
      for (const t of w.pipeline.rawTopics) push(this.bySourceTopic, t, w);
      for (const t of w.pipeline.dlqTopics) push(this.byDlqTopic, t, w);
    }
    const { board } = options;
    board.describe({
      name: dlqMetricNames.records,
      help: 'DLQ records read by the tap, by the source topic and error type their headers name.',
      type: 'counter',
      labelNames: ['pipeline', 'source_topic', 'error_type'],
    });
    board.describe({
      name: dlqMetricNames.ratio,
      help: 'DLQ records / source records over the window, per source topic (absent when the source is idle).',
      type: 'gauge',
      labelNames: ['pipeline', 'source_topic', 'window'],
    });
    board.describe({
      name: dlqMetricNames.ratioByErrorType,
      help: 'DLQ records of one error type / source records over the window (absent when the source is idle).',
      type: 'gauge',
      labelNames: ['pipeline', 'source_topic', 'error_type', 'window'],
    });
    this.sink = { name: 'dlq', onTapped: (record, nowMs) => this.onTapped(record, nowMs) };
  }

  /** Every topic the tap must read for this monitor: sources decoded, DLQs not. */
  topics(): { readonly sourceTopics: string[]; readonly dlqTopics: string[] } {
    return { sourceTopics: [...this.bySourceTopic.keys()], dlqTopics: [...this.byDlqTopic.keys()] };
  }

  onTapped(record: TappedRecord, nowMs: number): void {
    const sources = this.bySourceTopic.get(record.topic);
    if (sources)
      for (const w of sources) w.detector.recordSource(record.topic, record.timestampMs, nowMs);
    const dlqs = this.byDlqTopic.get(record.topic);
    if (!dlqs) return;
    const attribution = attributeDlqRecord({ text: record.headers, bytes: record.headerBytes });
    for (const w of dlqs) {
      const label = this.sourceLabel(w, attribution.sourceTopic);
      w.detector.recordDlq(label, attribution.errorType, record.timestampMs, nowMs);
    }
  }

  /** Restores saved windows, publishes, then publishes and saves on timers. */
  start(): void {
    this.restore();
    this.publish(this.now());
    const publish = setInterval(() => this.publishSafely(), this.options.evaluateIntervalMs);
    const persist = setInterval(() => this.persistSafely(), this.options.persistIntervalMs);
    publish.unref();
    persist.unref();
    this.timers = [publish, persist];
  }

  /** Stops the timers and saves the windows one last time. */
  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.persist(this.now());
  }

  evaluate(nowMs: number): { readonly pipeline: string; readonly evaluation: DlqRateEvaluation }[] {
    return this.watched.map((w) => ({
      pipeline: w.pipeline.name,
      evaluation: w.detector.evaluate(nowMs),
    }));
  }

  publish(nowMs: number): void {
    for (const w of this.watched) {
      const evaluation = w.detector.evaluate(nowMs);
      this.options.board.publish(
        `dlq:${w.pipeline.name}`,
        toReadings(w.pipeline.name, evaluation, w.zeroSources),
      );
    }
  }

  persist(nowMs: number): void {
    this.options.store?.saveAll(
      this.watched.map((w) => ({
        pipeline: w.pipeline.name,
        savedAtMs: nowMs,
        state: w.detector.toState(),
      })),
    );
  }

  private restore(): void {
    const { store, logger } = this.options;
    if (!store) return;
    for (const w of this.watched) {
      const saved = store.load(w.pipeline.name);
      if (!saved) continue;
      if (w.detector.restore(saved.state)) {
        logger.info(
          { pipeline: w.pipeline.name, savedAtMs: saved.savedAtMs },
          'DLQ windows restored',
        );
      } else {
        logger.warn({ pipeline: w.pipeline.name }, 'saved DLQ windows unreadable; starting empty');
      }
    }
  }

  private sourceLabel(w: Watched, sourceTopic: string | undefined): string {
    if (sourceTopic === undefined) return unknownSourceTopic;
    if (w.detector.isSourceTopic(sourceTopic)) return sourceTopic;
    if (w.reported.size < 100 && !w.reported.has(sourceTopic)) {
      w.reported.add(sourceTopic);
      this.options.logger.warn(
        { pipeline: w.pipeline.name, sourceTopic },
        `DLQ records name source topic ${sourceTopic}, which is not among the pipeline's rawTopics: counted as source_topic="${otherSourceTopic}"`,
      );
    }
    return otherSourceTopic;
  }

  private publishSafely(): void {
    try {
      this.publish(this.now());
    } catch (error) {
      this.options.logger.error({ err: error }, 'publishing DLQ readings failed');
    }
  }

  private persistSafely(): void {
    try {
      this.persist(this.now());
    } catch (error) {
      this.options.logger.error({ err: error }, 'saving DLQ windows failed');
    }
  }
}

/**
 * The `source_topic` values of a pipeline's DLQ counters that exist from the start: its raw
 * topics plus the two fallback labels. A pipeline without a DLQ topic has no DLQ to count, so
 * none (an absent series there means "not watched", never "nothing happened yet").
 */
export function zeroSourceTopics(pipeline: DlqWatchedPipeline): string[] {
  if (pipeline.dlqTopics.length === 0) return [];
  return [...new Set([...pipeline.rawTopics, unknownSourceTopic, otherSourceTopic])];
}

/**
 * The board readings of one pipeline's evaluation. Every (source in `zeroSources`, error type)
 * counter is published, at 0 until its first record, as Prometheus counters should be: an
 * `increase()` or `rate()` sees the first DLQ record only if the series existed before it.
 */
export function toReadings(
  pipeline: string,
  e: DlqRateEvaluation,
  zeroSources: readonly string[] = [],
): Reading[] {
  const atMs = e.atMs;
  const readings: Reading[] = [];
  const records = new Map<string, number>();
  for (const sourceTopic of zeroSources) {
    for (const errorType of dlqErrorTypes) records.set(JSON.stringify([sourceTopic, errorType]), 0);
  }
  for (const t of e.totals) records.set(JSON.stringify([t.sourceTopic, t.errorType]), t.records);
  for (const [key, value] of records) {
    const [sourceTopic, errorType] = JSON.parse(key) as [string, string];
    readings.push({
      name: dlqMetricNames.records,
      labels: { pipeline, source_topic: sourceTopic, error_type: errorType },
      value,
      atMs,
    });
  }
  for (const r of e.ratios) {
    readings.push({
      name: dlqMetricNames.ratio,
      labels: { pipeline, source_topic: r.sourceTopic, window: r.window },
      value: r.ratio,
      atMs,
    });
  }
  for (const r of e.byErrorType) {
    readings.push({
      name: dlqMetricNames.ratioByErrorType,
      labels: { pipeline, source_topic: r.sourceTopic, error_type: r.errorType, window: r.window },
      value: r.ratio,
      atMs,
    });
  }
  return readings;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
