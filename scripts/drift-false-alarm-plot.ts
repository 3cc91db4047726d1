// Writes docs/drift-false-alarms.svg: no-drift false-alarm rate against window size for the
// calibrated PSI test, the G-test and the fixed "PSI > 0.1" rule (same simulation as the test).
// Usage: node --import tsx scripts/drift-false-alarm-plot.ts
import { writeFileSync } from 'node:fs';
import { simulateFalseAlarms } from '../test/support/drift-simulation.js';
import { seededRandom } from '../test/support/random.js';

const ALPHA = 0.05;
const SIZES = [100, 300, 1000, 3000, 10000, 100000, 1000000];
const REPETITIONS = 2000;
const random = seededRandom(20261122);
const rates = SIZES.map((rows) => simulateFalseAlarms(random, rows, REPETITIONS, 10));

const width = 640;
const height = 360;
const left = 60;
const right = 150;
const top = 20;
const bottom = 50;
const x = (rows: number) => left + ((Math.log10(rows) - 2) / 4) * (width - left - right);
const y = (rate: number) => top + (1 - rate) * (height - top - bottom);

const series = [
  { name: 'PSI test', colour: '#1f77b4', values: rates.map((r) => r.psiTest) },
  { name: 'G-test (JS)', colour: '#2ca02c', values: rates.map((r) => r.gTest) },
  { name: 'PSI > 0.1', colour: '#d62728', values: rates.map((r) => r.fixedPsiRule) },
];
const parts: string[] = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
  `<rect width="100%" height="100%" fill="white"/>`,
  `<line x1="${left}" y1="${y(0)}" x2="${width - right}" y2="${y(0)}" stroke="black"/>`,
  `<line x1="${left}" y1="${y(0)}" x2="${left}" y2="${y(1)}" stroke="black"/>`,
  `<line x1="${left}" y1="${y(ALPHA)}" x2="${width - right}" y2="${y(ALPHA)}" stroke="grey" stroke-dasharray="4 3"/>`,
  `<text x="${width - right + 4}" y="${y(ALPHA) + 4}" fill="grey">α = ${ALPHA}</text>`,
];
for (const rows of [100, 1000, 10000, 100000, 1000000]) {
  parts.push(
    `<text x="${x(rows)}" y="${height - bottom + 16}" text-anchor="middle">${rows.toLocaleString('en-US')}</text>`,
  );
}
for (const rate of [0, 0.25, 0.5, 0.75, 1]) {
  parts.push(`<text x="${left - 6}" y="${y(rate) + 4}" text-anchor="end">${rate}</text>`);
}
parts.push(
  `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">window rows (reference rows = window rows, 10 bins, ${REPETITIONS} runs each)</text>`,
  `<text x="14" y="${(top + height - bottom) / 2}" transform="rotate(-90 14 ${(top + height - bottom) / 2})" text-anchor="middle">false-alarm rate under no drift</text>`,
);
series.forEach((s, i) => {
  const points = s.values.map((v, j) => `${x(SIZES[j] as number).toFixed(1)},${y(v).toFixed(1)}`);
  parts.push(
    `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${points.join(' ')}"/>`,
  );
  for (const point of points) {
    const [px, py] = point.split(',');
    parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${s.colour}"/>`);
  }
  parts.push(
    `<text x="${width - right + 4}" y="${top + 20 + 18 * i}" fill="${s.colour}">${s.name}</text>`,
  );
});
parts.push('</svg>');
writeFileSync('docs/drift-false-alarms.svg', `${parts.join('\n')}\n`);
console.log(
  rates
    .map((r) => `${r.windowRows}: PSI ${r.psiTest} G ${r.gTest} PSI>0.1 ${r.fixedPsiRule}`)
    .join('\n'),
);
