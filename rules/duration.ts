/**
 * Prometheus-style durations (`30s`, `2m`, `1h30m`, `0`), the notation rule files use for `for`,
 * `keep_firing_for` and counter windows, so a rule reads the same here and in Prometheus.
 */
const unitMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds of a duration string, or undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    total += Number(m[1]) * (unitMs[m[2]!] ?? 0);
    matched = re.lastIndex;
  }
  return matched === text.length && matched > 0 ? total : undefined;
}

/** The shortest Prometheus duration string for a number of milliseconds (`120000` → `2m`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
