import type { GroupStatus, TimeLagMethod } from '../../detectors/index.js';

/** A watched pipeline as the lag runtime sees it. */
export interface LagPipeline {
  readonly name: string;
  readonly rawTopics: readonly string[];
  readonly featureTopics: readonly string[];
  readonly dlqTopics: readonly string[];
  /** Configured groups; discovered ones are added by the runtime. */
  readonly groups: readonly string[];
  readonly freshnessTargetSeconds: number;
}

export interface PartitionLagView {
  readonly topic: string;
  readonly partition: number;
  readonly committedOffset: number | null;
  readonly endOffset: number;
  readonly logStartOffset: number;
  /** Offset lag (markers stepped over); null: never committed (unknown, not 0). */
  readonly lagMessages: number | null;
  /** Exact staleness, computed when read from the cached record timestamp. */
  readonly staleness: {
    readonly seconds: number;
    readonly method: 'exact';
    /** The record read at the committed offset; null when caught up. */
    readonly recordOffset: number | null;
    readonly recordTimestampMs: number | null;
  } | null;
  readonly timeLag: {
    readonly seconds: number;
    readonly method: TimeLagMethod;
    readonly errorSeconds: number;
  } | null;
  readonly status: GroupStatus | null;
  readonly rule: string | null;
  readonly messagesLost: number;
  readonly producerIdleSeconds: number | null;
  /** Records per second committed by the group and appended by producers (rate window). */
  readonly consumeRatePerSecond: number | null;
  readonly produceRatePerSecond: number | null;
}

export interface GroupLagView {
  readonly pipeline: string;
  readonly group: string;
  /** False when this poll could not read the group's offsets (its numbers are absent). */
  readonly polled: boolean;
  readonly discovered: boolean;
  readonly status: GroupStatus | null;
  readonly rule: string | null;
  readonly worstPartition: { readonly topic: string; readonly partition: number } | null;
  readonly lagMessages: number | null;
  readonly maxStalenessSeconds: number | null;
  readonly drainSeconds: Readonly<Record<string, number>>;
  readonly polledAtMs: number | null;
  readonly partitions: readonly PartitionLagView[];
}

export interface CollectorHealthView {
  readonly lastPollAtMs: number | null;
  readonly lastPollSeconds: number | null;
  readonly groupDiscovery: 'listgroups' | 'configured-only';
  readonly errors: Readonly<Record<string, number>>;
}

/** What the API reads; every call computes staleness at `nowMs`. */
export interface LagView {
  pipelines(): readonly LagPipeline[];
  groups(nowMs: number): readonly GroupLagView[];
  collector(): CollectorHealthView;
  /** Republishes the readings computed when read (exact staleness) at `nowMs`; no Kafka call. */
  refresh(nowMs: number): void;
}
