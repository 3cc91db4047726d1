/**
 * Shared pieces of the generated Grafana dashboards: the pinned datasource, template variables,
 * panel builders and the alert annotations. Dashboards are code so a metric rename breaks the
 * build (and the PromQL test) instead of a panel going silently empty.
 */
import {
  AnnotationQueryBuilder,
  CustomVariableBuilder,
  DashboardBuilder,
  QueryVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { DataSourceRef, Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { dlqRatioThreshold } from '../../../rules/index.js';
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Pinned (grafana#10786): the provisioned datasource in provisioning/datasources. */
export const datasource: DataSourceRef = { type: 'prometheus', uid: 'pipewatch-prometheus' };

/** Thresholds drawn on the panels; equal to the default alert rules' thresholds. */
export const alertThresholds = {
  /** DLQRatioHigh: DLQ records per source record (the default rule's own constant). */
  dlqRatio: dlqRatioThreshold,
  /** Default freshness target of a pipeline, seconds (pipelines[].freshnessTargetSeconds). */
  freshnessTargetSeconds: 60,
} as const;

export interface Query {
  readonly expr: string;
  readonly legend: string;
  /** Instant query (tables); default range. */
  readonly instant?: boolean;
}

function target(q: Query, refId: string): DataqueryBuilder {
  const b = new DataqueryBuilder().datasource(datasource).expr(q.expr).legendFormat(q.legend);
  b.refId(refId);
  return q.instant ? b.instant().format(PromQueryFormat.Table) : b.range();
}

const refIds = 'ABCDEFGHIJ';

function redLine(value: number): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value, color: 'red' },
  ]);
}

export interface TimeseriesOptions {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Drawn as a red dashed line (an alert threshold). */
  readonly threshold?: number;
  readonly width?: number;
  readonly height?: number;
}

export function timeseries(o: TimeseriesOptions): TimeseriesBuilder {
  const p = new TimeseriesBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasource)
    .unit(o.unit)
    .gridPos({ x: 0, y: 0, w: o.width ?? 12, h: o.height ?? 8 });
  o.queries.forEach((q, i) => p.withTarget(target(q, refIds[i] ?? `Q${i}`)));
  if (o.threshold !== undefined) {
    p.thresholds(redLine(o.threshold)).thresholdsStyle(
      new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed),
    );
  }
  return p;
}

export function stat(o: TimeseriesOptions): StatBuilder {
  const p = new StatBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasource)
    .unit(o.unit)
    .gridPos({ x: 0, y: 0, w: o.width ?? 6, h: o.height ?? 4 });
  o.queries.forEach((q, i) => p.withTarget(target(q, refIds[i] ?? `Q${i}`)));
  if (o.threshold !== undefined) p.thresholds(redLine(o.threshold));
  return p;
}

export function table(o: Omit<TimeseriesOptions, 'unit'> & { unit?: string }): TableBuilder {
  const p = new TableBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasource)
    .gridPos({ x: 0, y: 0, w: o.width ?? 12, h: o.height ?? 8 });
  if (o.unit) p.unit(o.unit);
  o.queries.forEach((q, i) => p.withTarget(target({ ...q, instant: true }, refIds[i] ?? `Q${i}`)));
  return p;
}

export function stateTimeline(o: Omit<TimeseriesOptions, 'unit'>): StateTimelineBuilder {
  const p = new StateTimelineBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasource)
    .gridPos({ x: 0, y: 0, w: o.width ?? 24, h: o.height ?? 8 });
  o.queries.forEach((q, i) => p.withTarget(target(q, refIds[i] ?? `Q${i}`)));
  return p;
}

/** A query variable over one label of one metric (multi-select, "All" = `.*`). */
export function labelVariable(
  name: string,
  label: string,
  metric: string,
  filter = '',
): QueryVariableBuilder {
  const query = `label_values(${metric}${filter}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(datasource)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all', selected: true });
}

/** The sliding-window label of drift and DLQ ratios. */
export function windowVariable(): CustomVariableBuilder {
  return new CustomVariableBuilder('window')
    .label('window')
    .values('5m,1h,24h')
    .current({ text: '5m', value: '5m', selected: true })
    .hide(VariableHide.DontHide);
}

/** Firing alerts, from Prometheus' ALERTS series (pipewatch's exported rules fire there). */
function alertAnnotations(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Firing alerts')
    .datasource(datasource)
    .enable(true)
    .iconColor('red')
    .target(
      new DataqueryBuilder()
        .datasource(datasource)
        .expr('ALERTS{alertstate="firing"}')
        .refId('alerts'),
    )
    .titleFormat('{{alertname}}')
    .textFormat('{{alertname}} {{severity}}')
    .useValueForTime(false)
    .step('60s');
}

export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['pipewatch', 'generated'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .annotation(alertAnnotations());
}

/** Lays panels out left to right, wrapping at Grafana's 24 columns. */
export interface PanelLike extends cog.Builder<Panel> {
  gridPos(g: { x: number; y: number; w: number; h: number }): unknown;
}

export function layout(
  panels: readonly { builder: PanelLike; w: number; h: number }[],
): PanelLike[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return panels.map(({ builder, w, h }) => {
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    builder.gridPos({ x, y, w, h });
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return builder;
  });
}
