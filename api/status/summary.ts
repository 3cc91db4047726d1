/**
 * The status page's data, built from the readings board alone: every number the page shows is a
 * reading some detector published, under its Prometheus name, so the page, /metrics and the
 * rules can never disagree. Pure: readings and `nowMs` in, a plain object out.
 */
import type { Reading } from '../../monitor/index.js';

export interface PartitionSummary {
  readonly topic: string;
  readonly partition: string;
  readonly status: string;
  readonly lagMessages: number | null;
  readonly lagSeconds: number | null;
  /** How lagSeconds was computed: exact | interpolated | extrapolated. */
  readonly lagMethod: string | null;
}

export interface GroupSummary {
  readonly group: string;
  readonly status: string;
  readonly lagMessages: number | null;
  /** The largest time lag of any partition. */
  readonly maxLagSeconds: number | null;
  readonly drainSeconds: number | null;
  /** Partitions not OK first, then by lag; at most 5. */
  readonly worstPartitions: readonly PartitionSummary[];
}

export interface PipelineSummary {
  readonly name: string;
  readonly freshnessSeconds: number | null;
  readonly groups: readonly GroupSummary[];
  readonly dlq: readonly { sourceTopic: string; window: string; ratio: number }[];
}

export interface StatusSummary {
  readonly generatedAtMs: number;
  readonly pipelines: readonly PipelineSummary[];
  readonly alertsFiring: readonly { rule: string; severity: string; count: number }[];
  readonly drift: readonly {
    topic: string;
    feature: string;
    window: string;
    detected: boolean;
    psi: number | null;
    psiCritical: number | null;
  }[];
  readonly collectorErrors: readonly { operation: string; total: number }[];
}

const statusRank: Readonly<Record<string, number>> = {
  DATA_LOSS: 8,
  STOP: 7,
  STALL: 6,
  REWIND: 5,
  STALE: 4,
  WARN: 3,
  PRODUCER_IDLE: 2,
  OK: 1,
};

const rank = (status: string) => statusRank[status] ?? 0;

function byName(readings: readonly Reading[]): Map<string, Reading[]> {
  const out = new Map<string, Reading[]>();
  for (const r of readings) {
    const list = out.get(r.name);
    if (list) list.push(r);
    else out.set(r.name, [r]);
  }
  return out;
}

function groupSummary(pipeline: string, group: string, m: Map<string, Reading[]>): GroupSummary {
  const mine = (name: string) =>
    (m.get(name) ?? []).filter((r) => r.labels.pipeline === pipeline && r.labels.group === group);
  const current = mine('pipewatch_consumer_group_status').find((r) => r.value === 1);
  const partitions = new Map<string, PartitionSummary>();
  const partitionOf = (r: Reading): PartitionSummary => {
    const topic = r.labels.topic ?? '';
    const partition = r.labels.partition ?? '';
    const key = `${topic}\u0000${partition}`;
    const known = partitions.get(key) ?? {
      topic,
      partition,
      status: 'OK',
      lagMessages: null,
      lagSeconds: null,
      lagMethod: null,
    };
    partitions.set(key, known);
    return known;
  };
  const update = (r: Reading, patch: Partial<PartitionSummary>) => {
    const p = partitionOf(r);
    partitions.set(`${p.topic}\u0000${p.partition}`, { ...p, ...patch });
  };
  for (const r of mine('pipewatch_consumer_group_lag_messages'))
    update(r, { lagMessages: r.value });
  for (const r of mine('pipewatch_consumer_group_lag_seconds')) {
    update(r, { lagSeconds: r.value, lagMethod: r.labels.method ?? null });
  }
  for (const r of mine('pipewatch_partition_status')) {
    if (r.value === 1) update(r, { status: r.labels.status ?? 'UNKNOWN' });
  }
  const list = [...partitions.values()];
  const sum = (xs: (number | null)[]) =>
    xs.some((x) => x !== null) ? xs.reduce<number>((a, x) => a + (x ?? 0), 0) : null;
  const max = (xs: (number | null)[]) =>
    xs.some((x) => x !== null) ? Math.max(...xs.filter((x): x is number => x !== null)) : null;
  const drains = mine('pipewatch_consumer_group_drain_seconds').map((r) => r.value);
  return {
    group,
    status: current?.labels.status ?? 'UNKNOWN',
    lagMessages: sum(list.map((p) => p.lagMessages)),
    maxLagSeconds: max(list.map((p) => p.lagSeconds)),
    drainSeconds: max(drains),
    worstPartitions: list
      .sort(
        (a, b) =>
          rank(b.status) - rank(a.status) ||
          (b.lagSeconds ?? -1) - (a.lagSeconds ?? -1) ||
          (b.lagMessages ?? -1) - (a.lagMessages ?? -1),
      )
      .slice(0, 5),
  };
}

export function statusSummary(readings: readonly Reading[], nowMs: number): StatusSummary {
  const m = byName(readings);
  const pipelineNames = new Set<string>();
  for (const r of readings)
    if (r.labels.pipeline !== undefined) pipelineNames.add(r.labels.pipeline);
  const pipelines = [...pipelineNames].sort().map((name): PipelineSummary => {
    const groups = new Set<string>();
    for (const r of m.get('pipewatch_consumer_group_status') ?? []) {
      if (r.labels.pipeline === name && r.labels.group !== undefined) groups.add(r.labels.group);
    }
    const freshness = (m.get('pipewatch_pipeline_freshness_seconds') ?? []).find(
      (r) => r.labels.pipeline === name,
    );
    return {
      name,
      freshnessSeconds: freshness?.value ?? null,
      groups: [...groups]
        .sort()
        .map((g) => groupSummary(name, g, m))
        .sort((a, b) => rank(b.status) - rank(a.status)),
      dlq: (m.get('pipewatch_dlq_ratio') ?? [])
        .filter((r) => r.labels.pipeline === name)
        .map((r) => ({
          sourceTopic: r.labels.source_topic ?? '',
          window: r.labels.window ?? '',
          ratio: r.value,
        }))
        .sort(
          (a, b) => a.sourceTopic.localeCompare(b.sourceTopic) || a.window.localeCompare(b.window),
        ),
    };
  });
  const driftValue = (name: string, labels: Reading['labels']) =>
    (m.get(name) ?? []).find(
      (r) =>
        r.labels.metric === 'psi' &&
        r.labels.topic === labels.topic &&
        r.labels.feature === labels.feature &&
        r.labels.window === labels.window,
    )?.value ?? null;
  const drift = (m.get('pipewatch_feature_drift_detected') ?? [])
    .map((r) => ({
      topic: r.labels.topic ?? '',
      feature: r.labels.feature ?? '',
      window: r.labels.window ?? '',
      detected: r.value === 1,
      psi: driftValue('pipewatch_feature_drift', r.labels),
      psiCritical: driftValue('pipewatch_feature_drift_critical', r.labels),
    }))
    .sort(
      (a, b) =>
        Number(b.detected) - Number(a.detected) ||
        a.topic.localeCompare(b.topic) ||
        a.feature.localeCompare(b.feature) ||
        a.window.localeCompare(b.window),
    );
  return {
    generatedAtMs: nowMs,
    pipelines,
    alertsFiring: (m.get('pipewatch_alerts_firing') ?? [])
      .filter((r) => r.value > 0)
      .map((r) => ({
        rule: r.labels.rule ?? '',
        severity: r.labels.severity ?? '',
        count: r.value,
      })),
    drift,
    collectorErrors: (m.get('pipewatch_collector_errors_total') ?? []).map((r) => ({
      operation: r.labels.operation ?? '',
      total: r.value,
    })),
  };
}
