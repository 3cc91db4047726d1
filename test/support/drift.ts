/** Helpers of the drift tests: seeded draws, Prometheus text lookups (waiting: ./wait.ts). */

export { seededRandom } from './random.js';

/** Normal(mean, sd) by Box–Muller. */
export function normalDraw(random: () => number, mean: number, sd: number): number {
  const u = 1 - random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** A category from relative weights. */
export function weightedDraw(random: () => number, weights: Readonly<Record<string, number>>) {
  const entries = Object.entries(weights);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  let u = random() * total;
  for (const [name, w] of entries) {
    u -= w;
    if (u < 0) return name;
  }
  return entries[entries.length - 1]![0];
}

/** The value of the first sample of `family` whose labels include all of `labels`. */
export function promSample(
  text: string,
  family: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${family}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}
