/**
 * Renders the readings board as Prometheus text exposition (format 0.0.4), purely: the /metrics
 * route appends these bytes to prom-client's. One pass over the board per scrape, no Kafka call
 * and no computation beyond formatting (model: OpenTelemetry's PrometheusSerializer).
 */
import type { ReadingsBoard, Reading } from './board.js';

export function renderBoard(board: ReadingsBoard): string {
  const byName = new Map<string, Reading[]>();
  for (const r of board.readings()) {
    const list = byName.get(r.name);
    if (list) list.push(r);
    else byName.set(r.name, [r]);
  }
  const blocks: string[] = [];
  for (const d of board.descriptors()) {
    const readings = byName.get(d.name);
    if (!readings || readings.length === 0) continue;
    const lines = [`# HELP ${d.name} ${escapeHelp(d.help)}`, `# TYPE ${d.name} ${d.type}`];
    for (const r of readings) {
      const labels = d.labelNames.map((l) => `${l}="${escapeLabel(r.labels[l] ?? '')}"`);
      const labelText = labels.length > 0 ? `{${labels.join(',')}}` : '';
      lines.push(`${d.name}${labelText} ${formatValue(r.value)}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.length > 0 ? `${blocks.join('\n\n')}\n` : '';
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabel(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
