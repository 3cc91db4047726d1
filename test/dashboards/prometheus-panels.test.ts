// Every PromQL expression of every generated dashboard panel, run by a real Prometheus that
// scraped the running embedded default through one whole (compressed) fault cycle: a panel
// whose query returns nothing is a panel a user would stare at in vain.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startService, type RunningService } from '../../cli/commands/serve.js';
import { parseConfig } from '../../config/index.js';
import { dashboardExpressions, substituteVariables } from '../support/dashboards.js';
import {
  prometheusSkipReason,
  startPrometheus,
  type RunningPrometheus,
} from '../support/prometheus.js';
import { waitFor } from '../support/wait.js';

const scenarioSeconds = 6;
/** clean, DLQ burst, schema faults, amount shift, channel mix, pause: one whole cycle and a bit. */
const cycleSeconds = 6 * scenarioSeconds + 8;

describe(
  'dashboards against a real Prometheus scraping the embedded default',
  { skip: prometheusSkipReason() },
  () => {
    let dir: string;
    let service: RunningService;
    let prometheus: RunningPrometheus;
    let startS: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'pipewatch-panels-'));
      const config = parseConfig(
        {
          dataDir: dir,
          logLevel: 'silent',
          http: { host: '127.0.0.1', port: 0 },
          registry: { port: 0 },
          pipeline: {
            producer: { ratePerSecond: 200, metricsPort: 0 },
            consumer: { metricsPort: 0 },
            embedded: { faultScenarioSeconds: scenarioSeconds, autoReferenceAfterSeconds: 4 },
          },
          drift: {
            windows: [{ windowSeconds: 300, subWindowSeconds: 5 }],
            evaluateIntervalMs: 1000,
            minWindowValues: 50,
            consecutiveWindows: 1,
          },
          dlq: { windows: [{ windowSeconds: 300, subWindowSeconds: 5 }], evaluateIntervalMs: 1000 },
          collector: { offsets: { pollIntervalSeconds: 1, statusWindowSeconds: 4 } },
        },
        {},
      );
      startS = Date.now() / 1000;
      service = await startService(config, pino({ level: 'silent' }));
      prometheus = await startPrometheus({ targets: [new URL(service.httpUrl).host] });
      await waitFor(async () => (await prometheus.query('up{job="pipewatch"} == 1')).length > 0, {
        what: 'Prometheus scraping pipewatch',
        timeoutMs: 30_000,
        intervalMs: 500,
      });
      // One whole fault cycle, so every scenario (and every panel's subject) has happened.
      await new Promise((resolve) => setTimeout(resolve, cycleSeconds * 1000));
    });

    after(async () => {
      await prometheus?.stop();
      await service?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('every panel expression returns data over the run', async () => {
      const endS = Date.now() / 1000;
      const empty: string[] = [];
      const expressions = dashboardExpressions();
      for (const e of expressions) {
        const expr = substituteVariables(e.expr, '5m');
        const result = await prometheus.query(expr, { startS, endS, stepS: 1 });
        if (result.length === 0) empty.push(`${e.dashboard} / ${e.panel}: ${expr}`);
      }
      assert.deepEqual(
        empty,
        [],
        `${empty.length} of ${expressions.length} expressions returned nothing`,
      );
    });
  },
);
