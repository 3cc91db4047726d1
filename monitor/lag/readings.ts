/**
 * Readings of the lag runtime from its views. Two sources: the poll's numbers (published once
 * per poll) and exact staleness (republished when read: every scrape and API call recomputes
 * now − cached record timestamp, so the exact number carries no poll-interval error).
 */
import { GROUP_STATUSES } from '../../detectors/index.js';
import type { Reading } from '../board.js';
import { lagMetric } from './descriptors.js';
import type { CollectorHealthView, GroupLagView } from './views.js';

export interface ReadingOptions {
  /** Per-partition series beside the per-topic and per-group ones (collector.partitionSeries). */
  readonly partitionSeries: boolean;
}

export function pollReadings(
  views: readonly GroupLagView[],
  idle: ReadonlyMap<string, number>,
  atMs: number,
  options: ReadingOptions,
): Reading[] {
  const out: Reading[] = [];
  const push = (name: string, labels: Record<string, string>, value: number) =>
    out.push({ name, labels, value, atMs });
  for (const v of views) {
    if (!v.polled) continue;
    const g = { pipeline: v.pipeline, group: v.group };
    if (v.status !== null) {
      for (const s of GROUP_STATUSES)
        push(lagMetric.groupStatus, { ...g, status: s }, s === v.status ? 1 : 0);
    }
    const topics = new Map<string, { lag: number; lost: number; seconds: Map<string, number> }>();
    for (const p of v.partitions) {
      if (p.lagMessages === null) continue;
      const pl = { ...g, topic: p.topic, partition: String(p.partition) };
      const t = topics.get(p.topic) ?? { lag: 0, lost: 0, seconds: new Map<string, number>() };
      t.lag += p.lagMessages;
      t.lost += p.messagesLost;
      if (p.timeLag) {
        t.seconds.set(
          p.timeLag.method,
          Math.max(t.seconds.get(p.timeLag.method) ?? 0, p.timeLag.seconds),
        );
      }
      topics.set(p.topic, t);
      if (!options.partitionSeries) continue;
      push(lagMetric.lagMessages, pl, p.lagMessages);
      if (p.timeLag) {
        push(lagMetric.lagSeconds, { ...pl, method: p.timeLag.method }, p.timeLag.seconds);
        push(
          lagMetric.lagSecondsError,
          { ...pl, method: p.timeLag.method },
          p.timeLag.errorSeconds,
        );
      }
      if (p.status !== null && p.status !== 'OK') {
        push(lagMetric.partitionStatus, { ...pl, status: p.status }, 1);
      }
    }
    for (const [topic, t] of topics) {
      push(lagMetric.topicLagMessages, { ...g, topic }, t.lag);
      push(lagMetric.messagesLost, { ...g, topic }, t.lost);
      for (const [method, seconds] of t.seconds) {
        push(lagMetric.topicLagSeconds, { ...g, topic, method }, seconds);
      }
      const drain = v.drainSeconds[topic];
      if (drain !== undefined) push(lagMetric.drainSeconds, { ...g, topic }, drain);
    }
  }
  const minIdle = new Map<string, number>();
  for (const [key, seconds] of idle) {
    const slash = key.lastIndexOf('/');
    const topic = key.slice(0, slash);
    minIdle.set(topic, Math.min(minIdle.get(topic) ?? Infinity, seconds));
    if (options.partitionSeries) {
      push(lagMetric.topicIdleSeconds, { topic, partition: key.slice(slash + 1) }, seconds);
    }
  }
  for (const [topic, seconds] of minIdle) push(lagMetric.topicMinIdleSeconds, { topic }, seconds);
  return out;
}

/** Exact staleness per partition (method="exact", error 0) and its per-topic maximum. */
export function stalenessReadings(
  views: readonly GroupLagView[],
  atMs: number,
  options: ReadingOptions,
): Reading[] {
  const out: Reading[] = [];
  for (const v of views) {
    const max = new Map<string, number>();
    for (const p of v.partitions) {
      if (!p.staleness) continue;
      max.set(p.topic, Math.max(max.get(p.topic) ?? 0, p.staleness.seconds));
      if (!options.partitionSeries) continue;
      const labels = {
        pipeline: v.pipeline,
        group: v.group,
        topic: p.topic,
        partition: String(p.partition),
        method: 'exact',
      };
      out.push({ name: lagMetric.lagSeconds, labels, value: p.staleness.seconds, atMs });
      out.push({ name: lagMetric.lagSecondsError, labels, value: 0, atMs });
    }
    for (const [topic, seconds] of max) {
      out.push({
        name: lagMetric.topicLagSeconds,
        labels: { pipeline: v.pipeline, group: v.group, topic, method: 'exact' },
        value: seconds,
        atMs,
      });
    }
  }
  return out;
}

/**
 * The offsets collector's own health. Up means a poll completed within `3 × pollIntervalMs`
 * of `atMs` (a first poll gets that long from start-up), so a hung or failing loop reads 0.
 */
export function collectorReadings(
  health: CollectorHealthView,
  atMs: number,
  up: { readonly startedAtMs: number; readonly pollIntervalMs: number },
): Reading[] {
  const since = health.lastPollAtMs ?? up.startedAtMs;
  const out: Reading[] = [
    {
      name: lagMetric.collectorUp,
      labels: { collector: 'offsets' },
      value: atMs - since <= 3 * up.pollIntervalMs ? 1 : 0,
      atMs,
    },
  ];
  for (const [operation, count] of Object.entries(health.errors)) {
    out.push({ name: lagMetric.collectorErrors, labels: { operation }, value: count, atMs });
  }
  if (health.lastPollSeconds !== null) {
    out.push({ name: lagMetric.pollSeconds, labels: {}, value: health.lastPollSeconds, atMs });
  }
  if (health.lastPollAtMs !== null) {
    out.push({
      name: lagMetric.lastPollSeconds,
      labels: {},
      value: health.lastPollAtMs / 1000,
      atMs,
    });
  }
  return out;
}
