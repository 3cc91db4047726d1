import { buildDashboards } from '../../dashboards/grafana/src/index.js';

export interface PanelExpression {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
}

/** Every PromQL expression of every panel target of the generated dashboards. */
export function dashboardExpressions(): PanelExpression[] {
  const out: PanelExpression[] = [];
  for (const { file, json } of buildDashboards()) {
    const d = JSON.parse(json) as {
      panels: { title: string; targets?: { expr?: string }[] }[];
      templating: { list: { name: string; query?: unknown }[] };
    };
    for (const v of d.templating.list) {
      // label_values(SELECTOR, label): the selector is PromQL.
      const m = typeof v.query === 'string' ? /^label_values\((.+), *\w+\)$/.exec(v.query) : null;
      if (m?.[1]) out.push({ dashboard: file, panel: `variable ${v.name}`, expr: m[1] });
    }
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        if (t.expr) out.push({ dashboard: file, panel: p.title, expr: t.expr });
      }
    }
  }
  return out;
}

/** What Grafana would send with "All" selected, the 5m window and a 1 m rate interval. */
export function substituteVariables(expr: string, window = '5m'): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$window', window)
    .replace(/\$(pipeline|group|topic|feature)\b/g, '.*');
}
