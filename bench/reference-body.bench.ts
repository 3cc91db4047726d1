// POST /api/v1/references with 1,000,000 raw values (about 8-12 MB of JSON), through the whole
// app with inject(): JSON parse, route-schema validation, reference build, store. "refused"
// bodies carry one unknown field, so the answer is a 400 after every value was validated and
// nothing is built: that isolates parsing + validation. Each case runs in its own process
// (peak RSS is per process). Baseline measured in the same process: JSON.parse of the same
// body, the cost no validation can avoid; `_vs_json_parse_ratio` is the request over it.
// Prints one JSON line per number.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../api/index.js';
import { memoryReferenceStore } from '../store/index.js';

const VALUES = 1_000_000;
const RUNS = 5;
const cases = ['numeric', 'categorical', 'numeric-refused', 'categorical-refused'] as const;
type Case = (typeof cases)[number];

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Number(value.toPrecision(4)), unit }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function body(which: Case): string {
  const categorical = which.startsWith('categorical');
  const values = Array.from({ length: VALUES }, (_, i) =>
    i % 100 === 0 ? null : categorical ? `c${i % 50}` : (i % 997) * 0.25,
  );
  const extra = which.endsWith('refused') ? { unknownField: 1 } : {};
  return JSON.stringify({ topic: 't', feature: which, values, ...extra });
}

async function child(which: Case): Promise<void> {
  const app = Fastify();
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: 'bench', nodeVersion: process.version }),
    referenceStore: memoryReferenceStore(),
    checkResponses: false,
  });
  await app.ready();
  const payload = body(which);
  const expected = which.endsWith('refused') ? 400 : 201;
  const times: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/references',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    const ms = performance.now() - t0;
    if (response.statusCode !== expected) {
      throw new Error(`${which}: ${response.statusCode} ${response.body.slice(0, 300)}`);
    }
    if (run > 0) times.push(ms); // run 0 warms up
  }
  await app.close();
  const parseTimes: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const t0 = performance.now();
    JSON.parse(payload);
    if (run > 0) parseTimes.push(performance.now() - t0);
  }
  const name = `reference_post_1m_${which.replace('-', '_')}`;
  emit(`${name}_ms`, median(times), 'ms');
  emit(`${name}_json_parse_ms`, median(parseTimes), 'ms');
  emit(`${name}_vs_json_parse_ratio`, median(times) / median(parseTimes), 'ratio');
  emit(
    `reference_post_1m_${which.replace('-', '_')}_max_rss_mib`,
    process.resourceUsage().maxRSS / 1024,
    'MiB',
  );
}

const which = process.argv[2] as Case | undefined;
if (which) {
  await child(which);
} else {
  const self = fileURLToPath(import.meta.url);
  for (const c of cases) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', self, c], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) process.exitCode = 1;
  }
}
