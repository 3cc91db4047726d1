/**
 * The collector's schema-violation totals as board readings (the names, help and labels of the
 * former prom-client counters): `pipewatch_schema_violations_total{topic,kind}` and
 * `pipewatch_schema_lookup_failures_total{topic}`, value = running total. Publishing is
 * coalesced to once per event-loop turn, so a burst of bad records costs one publish.
 */
import { wireViolationKinds, type ViolationTotals } from '../collector/index.js';
import type { ReadingsBoard, Reading } from './board.js';

export const schemaViolationsSource = 'schema-violations';

/** The recorder's side this needs (SchemaViolationRecorder). */
export interface ViolationTotalsSource {
  totals(): ViolationTotals;
  subscribe(listener: () => void): () => void;
}

const violations = 'pipewatch_schema_violations_total';
const lookupFailures = 'pipewatch_schema_lookup_failures_total';

/**
 * Publishes the totals now and after every count; returns the function that stops it. Every
 * (watched topic, kind) starts at 0, as Prometheus counters should: `increase()` then sees the
 * first bad record, and an absent series means "not watched", never "nothing happened yet".
 */
export function publishSchemaViolations(
  board: ReadingsBoard,
  recorder: ViolationTotalsSource,
  nowMs: () => number = Date.now,
  watchedTopics: readonly string[] = [],
): () => void {
  board.describe({
    name: violations,
    help: 'Records on watched topics that break the topic schema expectations, by kind.',
    type: 'counter',
    labelNames: ['topic', 'kind'],
  });
  board.describe({
    name: lookupFailures,
    help: 'Records left unchecked because the schema registry could not be reached.',
    type: 'counter',
    labelNames: ['topic'],
  });
  let scheduled: NodeJS.Immediate | undefined;
  const publish = () => {
    scheduled = undefined;
    const atMs = nowMs();
    const totals = recorder.totals();
    const byKind = new Map<string, number>();
    for (const topic of watchedTopics) {
      for (const kind of wireViolationKinds) byKind.set(JSON.stringify([topic, kind]), 0);
    }
    for (const { topic, kind, count } of totals.violations) {
      byKind.set(JSON.stringify([topic, kind]), count);
    }
    const byTopic = new Map<string, number>(watchedTopics.map((t) => [t, 0]));
    for (const { topic, count } of totals.lookupFailures) byTopic.set(topic, count);
    const readings: Reading[] = [
      ...[...byKind].map(([key, count]) => {
        const [topic, kind] = JSON.parse(key) as [string, string];
        return { name: violations, labels: { topic, kind }, value: count, atMs };
      }),
      ...[...byTopic].map(([topic, count]) => ({
        name: lookupFailures,
        labels: { topic },
        value: count,
        atMs,
      })),
    ];
    board.publish(schemaViolationsSource, readings);
  };
  publish();
  const unsubscribe = recorder.subscribe(() => {
    scheduled ??= setImmediate(publish);
  });
  return () => {
    unsubscribe();
    if (scheduled) clearImmediate(scheduled);
    publish(); // the last counts stay readable after the tap stopped
  };
}
