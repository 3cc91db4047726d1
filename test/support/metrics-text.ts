// Reads series off a running service's /metrics (Prometheus text format), as a scraper would.

export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Every sample line of a Prometheus text exposition. */
export function parseMetricsText(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!;
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the first series named `name` whose labels include `labels`, or undefined. */
export async function metricValue(
  httpUrl: string,
  name: string,
  labels: Readonly<Record<string, string>>,
): Promise<number | undefined> {
  const series = parseMetricsText(await (await fetch(`${httpUrl}/metrics`)).text());
  return series.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}
