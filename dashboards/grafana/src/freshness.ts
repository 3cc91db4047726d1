import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import {
  alertThresholds,
  dashboard,
  labelVariable,
  layout,
  stat,
  stateTimeline,
  table,
  timeseries,
} from './panels.js';

const sel = 'pipeline=~"$pipeline", group=~"$group", topic=~"$topic"';

/** Freshness and lag: is the data fresh, is the consumer alive, how long until it catches up. */
export function freshnessDashboard(): DashboardBuilder {
  const d = dashboard(
    'pipewatch-freshness',
    'pipewatch / Freshness and lag',
    'Pipeline freshness against its target, staleness and offset lag per group and partition, time to drain, group status and producer idleness.',
  )
    .withVariable(labelVariable('pipeline', 'pipeline', 'pipewatch_consumer_group_status'))
    .withVariable(
      labelVariable('group', 'group', 'pipewatch_consumer_group_status', '{pipeline=~"$pipeline"}'),
    )
    .withVariable(
      labelVariable(
        'topic',
        'topic',
        'pipewatch_consumer_group_lag_messages',
        '{pipeline=~"$pipeline", group=~"$group"}',
      ),
    );
  const panels = layout([
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Pipeline freshness',
        description:
          'now − the newest source event time seen on the feature topic (end to end). The red line is the default freshness target.',
        unit: 's',
        threshold: alertThresholds.freshnessTargetSeconds,
        queries: [
          {
            expr: 'pipewatch_pipeline_freshness_seconds{pipeline=~"$pipeline"}',
            legend: '{{pipeline}}',
          },
        ],
      }),
    },
    {
      w: 12,
      h: 8,
      builder: timeseries({
        title: 'Staleness of the oldest unconsumed record',
        description:
          'Time lag per group and partition; `method` says how it was computed (exact = the record at the committed offset was read).',
        unit: 's',
        threshold: alertThresholds.freshnessTargetSeconds,
        queries: [
          {
            expr: `max by (group, topic, partition, method) (pipewatch_consumer_group_lag_seconds{${sel}})`,
            legend: '{{group}} {{topic}}/{{partition}} ({{method}})',
          },
        ],
      }),
    },
    {
      w: 8,
      h: 8,
      builder: timeseries({
        title: 'Offset lag',
        description:
          'Messages between the committed offset and the end of the partition, summed per group and topic.',
        unit: 'short',
        queries: [
          {
            expr: `sum by (group, topic) (pipewatch_consumer_group_lag_messages{${sel}})`,
            legend: '{{group}} {{topic}}',
          },
        ],
      }),
    },
    {
      w: 8,
      h: 8,
      builder: timeseries({
        title: 'Time to drain',
        description:
          'Offset lag ÷ (consume rate − produce rate), when the consumer is catching up.',
        unit: 's',
        queries: [
          {
            expr: `pipewatch_consumer_group_drain_seconds{${sel}}`,
            legend: '{{group}} {{topic}}',
          },
        ],
      }),
    },
    {
      w: 8,
      h: 8,
      builder: timeseries({
        title: 'Producer idle',
        description:
          'Seconds since the newest record of each watched partition: an idle producer is not a dead consumer.',
        unit: 's',
        queries: [
          {
            expr: 'max by (topic) (pipewatch_topic_idle_seconds{topic=~"$topic"})',
            legend: '{{topic}}',
          },
        ],
      }),
    },
    {
      w: 24,
      h: 7,
      builder: stateTimeline({
        title: 'Group status',
        description:
          'The current status of each group (OK, WARN, STALL, STOP, REWIND, PRODUCER_IDLE, DATA_LOSS, STALE); see docs/lag.md for the rules.',
        queries: [
          {
            expr: 'pipewatch_consumer_group_status{pipeline=~"$pipeline", group=~"$group"} == 1',
            legend: '{{group}} {{status}}',
          },
        ],
      }),
    },
    {
      w: 16,
      h: 8,
      builder: table({
        title: 'Partitions not OK',
        description: 'Every partition whose status is not OK, with the status that decided it.',
        queries: [
          {
            expr: `pipewatch_partition_status{${sel}} == 1`,
            legend: '{{group}} {{topic}}/{{partition}} {{status}}',
          },
        ],
      }),
    },
    {
      w: 8,
      h: 8,
      builder: stat({
        title: 'Groups not OK',
        description: 'Watched groups whose status is anything but OK.',
        unit: 'short',
        threshold: 1,
        queries: [
          {
            expr: 'count(pipewatch_consumer_group_status{pipeline=~"$pipeline", status!="OK"} == 1) or vector(0)',
            legend: 'groups',
          },
        ],
      }),
    },
  ]);
  for (const p of panels) d.withPanel(p);
  return d;
}
