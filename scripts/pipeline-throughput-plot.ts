// Writes docs/pipeline-throughput.svg from bench/results/latest.jsonl (run `npm run bench --
// pipeline cluster` first): the feature consumer's throughput next to the raw client baselines
// of the same run, on a log scale, with the 50,000 events/s target.
// Usage: node --import tsx scripts/pipeline-throughput-plot.ts
import { readFileSync, writeFileSync } from 'node:fs';

const results = new Map<string, number>();
for (const line of readFileSync('bench/results/latest.jsonl', 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const { name, value } = JSON.parse(line) as { name: string; value: number };
  results.set(name, value);
}
const bars = [
  { label: 'kafkajs, consume only', name: 'kafka.baseline_consume_records_per_s', colour: '#999' },
  {
    label: 'librdkafka, consume only',
    name: 'kafka.librdkafka_consume_records_per_s',
    colour: '#999',
  },
  {
    label: 'micro-batch consumer, JSON',
    name: 'pipeline.microbatch_events_per_s',
    colour: '#1f77b4',
  },
  {
    label: 'micro-batch consumer, Avro',
    name: 'pipeline.microbatch_avro_events_per_s',
    colour: '#1f77b4',
  },
  { label: 'per-event consumer, JSON', name: 'pipeline.per_event_events_per_s', colour: '#ff7f0e' },
].map((bar) => {
  const value = results.get(bar.name);
  if (value === undefined) throw new Error(`${bar.name} missing from bench/results/latest.jsonl`);
  return { ...bar, value };
});

const TARGET = 50_000;
const width = 680;
const left = 190;
const right = 90;
const top = 20;
const barHeight = 26;
const gap = 12;
const bottom = 50;
const height = top + bars.length * (barHeight + gap) + bottom;
const decades = [3, 4, 5, 6];
const x = (v: number) => left + ((Math.log10(v) - 3) / 3) * (width - left - right);

const parts: string[] = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
  `<rect width="100%" height="100%" fill="white"/>`,
];
const axisY = height - bottom;
parts.push(`<line x1="${left}" y1="${axisY}" x2="${width - right}" y2="${axisY}" stroke="black"/>`);
for (const d of decades) {
  const v = 10 ** d;
  parts.push(
    `<line x1="${x(v)}" y1="${top}" x2="${x(v)}" y2="${axisY}" stroke="#ddd"/>`,
    `<text x="${x(v)}" y="${axisY + 16}" text-anchor="middle">${v.toLocaleString('en-US')}</text>`,
  );
}
bars.forEach((bar, i) => {
  const y = top + i * (barHeight + gap);
  parts.push(
    `<text x="${left - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end">${bar.label}</text>`,
    `<rect x="${left}" y="${y}" width="${(x(bar.value) - left).toFixed(1)}" height="${barHeight}" fill="${bar.colour}"/>`,
    `<text x="${(x(bar.value) + 4).toFixed(1)}" y="${y + barHeight / 2 + 4}">${Math.round(bar.value).toLocaleString('en-US')}</text>`,
  );
});
parts.push(
  `<line x1="${x(TARGET)}" y1="${top - 6}" x2="${x(TARGET)}" y2="${axisY}" stroke="#d62728" stroke-dasharray="4 3"/>`,
  `<text x="${x(TARGET) + 4}" y="${top - 8}" fill="#d62728">target 50,000</text>`,
  `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">records or events per second (log scale), one run on a 2-core machine against librdkafka's mock cluster</text>`,
  '</svg>',
);
writeFileSync('docs/pipeline-throughput.svg', `${parts.join('\n')}\n`);
console.log(bars.map((b) => `${b.label}: ${Math.round(b.value)}`).join('\n'));
