import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { startService } from '../../cli/commands/serve.js';
import { parseConfig } from '../../config/index.js';
import { embeddedFaultScenarios } from '../../pipeline/index.js';
import { parseMetricsText } from '../support/metrics-text.js';
import { waitFor } from '../support/wait.js';

// Issue 10's "done when": the embedded default (mock cluster, reference pipeline, its fault
// cycle) shows within one cycle a DLQ spike in pipewatch_dlq_ratio during the DLQ burst, and
// PRODUCER_IDLE, not a false alarm, while its producer pauses. The cycle is compressed to 8 s a
// scenario; the offsets poller polls every second and judges over 3 s, so the 8 s pause is long
// enough for a whole status window without an end-offset move.
//
// Known truth: the scenarios (pipeline/fault-cycle.ts) and when each began (the cycle's own log
// line); the DLQ burst sends 1 % malformed + 1 % negative amounts, every clean scenario none.

const scenarioSeconds = 8;
const group = 'pipewatch-features';
const pipelineName = 'transactions';
const freshnessTargetSeconds = 60; // the embedded pipeline's default target

interface Sample {
  scenario: string;
  /** Index of the scenario in the cycle. */
  step: number;
  groupStatus: string | null;
  statusMetric: string | undefined;
  dlqRatio5s: number | undefined;
  dlqRatio5m: number | undefined;
  freshnessSeconds: number | undefined;
  /** Milliseconds since the scenario began. */
  sinceStartMs: number;
  rule: string | null;
}

describe('embedded default: one compressed fault cycle', () => {
  it('DLQ spike during the burst, PRODUCER_IDLE (no STALL/STOP, no alert) during the pause', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-fault-cycle-'));
    const config = parseConfig(
      {
        dataDir: dir,
        logLevel: 'silent',
        http: { host: '127.0.0.1', port: 0 },
        registry: { port: 0 },
        kafka: { embeddedBrokerCount: 1 },
        pipeline: {
          embedded: { faultScenarioSeconds: scenarioSeconds, autoReferenceAfterSeconds: 0 },
        },
        collector: { offsets: { pollIntervalSeconds: 1, statusWindowSeconds: 3 } },
        // The default windows plus a short one, so the spike is seen to end as well.
        dlq: {
          windows: [
            { windowSeconds: 5, subWindowSeconds: 1 },
            { windowSeconds: 300, subWindowSeconds: 10 },
            { windowSeconds: 3600, subWindowSeconds: 60 },
          ],
          evaluateIntervalMs: 500,
        },
        rules: { evaluationIntervalSeconds: 1 },
      },
      {},
    );
    // The cycle logs each scenario as it applies it: that is when the scenario began.
    const scenarioStarts: { name: string; atMs: number }[] = [];
    const logger = pino(
      { level: 'info' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as { msg?: string; scenario?: string };
          if (entry.msg === 'embedded pipeline fault scenario' && entry.scenario) {
            scenarioStarts.push({ name: entry.scenario, atMs: Date.now() });
          }
        },
      },
    );
    const service = await startService(config, logger);
    const samples: Sample[] = [];
    const idleAlerts = new Set<string>();
    try {
      const pauseStep = embeddedFaultScenarios.findIndex((s) => s.name === 'pause');
      const sample = async (): Promise<Sample | undefined> => {
        const step = scenarioStarts.length - 1;
        const scenario = scenarioStarts[step]?.name;
        if (scenario === undefined) return undefined;
        const groupBody = (await (
          await fetch(`${service.httpUrl}/api/v1/groups/${group}`)
        ).json()) as {
          pipelines: { pipeline: string; status: string | null; rule: string | null }[];
        };
        const view = groupBody.pipelines.find((p) => p.pipeline === pipelineName);
        const series = parseMetricsText(await (await fetch(`${service.httpUrl}/metrics`)).text());
        const ratio = (window: string) =>
          series.find(
            (s) =>
              s.name === 'pipewatch_dlq_ratio' &&
              s.labels.source_topic === 'raw.transactions' &&
              s.labels.window === window,
          )?.value;
        const s: Sample = {
          scenario,
          step,
          groupStatus: view?.status ?? null,
          rule: view?.rule ?? null,
          sinceStartMs: Date.now() - scenarioStarts[step]!.atMs,
          statusMetric: series.find(
            (x) =>
              x.name === 'pipewatch_consumer_group_status' &&
              x.labels.group === group &&
              x.value === 1,
          )?.labels.status,
          dlqRatio5s: ratio('5s'),
          dlqRatio5m: ratio('5m'),
          freshnessSeconds: series.find(
            (x) =>
              x.name === 'pipewatch_pipeline_freshness_seconds' &&
              x.labels.pipeline === pipelineName,
          )?.value,
        };
        if (step === pauseStep) {
          const alerts = (await (await fetch(`${service.httpUrl}/api/v1/alerts`)).json()) as {
            alerts: { rule: string; status: string }[];
          };
          for (const a of alerts.alerts) idleAlerts.add(`${a.rule}:${a.status}`);
        }
        return s;
      };
      // Run through the pause to the first scenario of the next cycle.
      await waitFor(
        async () => {
          const s = await sample();
          if (s) samples.push(s);
          return scenarioStarts.length > embeddedFaultScenarios.length;
        },
        {
          what: 'one whole fault cycle',
          timeoutMs: (embeddedFaultScenarios.length + 3) * scenarioSeconds * 1000,
          intervalMs: 250,
        },
      );
      assert.deepEqual(
        scenarioStarts.slice(0, embeddedFaultScenarios.length).map((s) => s.name),
        embeddedFaultScenarios.map((s) => s.name),
        'the cycle ran its scenarios in order',
      );

      const inStep = (step: number) => samples.filter((s) => s.step === step);
      const max = (xs: (number | undefined)[]) => Math.max(0, ...xs.filter((x) => x !== undefined));
      const history = (await (
        await fetch(`${service.httpUrl}/api/v1/alerts/history?limit=1000`)
      ).json()) as { history: { rule: string; from: string; to: string; at: string }[] };

      const perScenario = [...new Set(samples.map((s) => s.step))].map((step) => {
        const xs = inStep(step);
        return {
          step,
          scenario: xs[0]?.scenario,
          statuses: [...new Set(xs.map((s) => s.groupStatus))],
          dlqRatio5sMax: max(xs.map((s) => s.dlqRatio5s)),
          dlqRatio5mMax: max(xs.map((s) => s.dlqRatio5m)),
          freshnessMax: max(xs.map((s) => s.freshnessSeconds)),
        };
      });
      console.log(
        JSON.stringify({
          perScenario,
          alertsDuringPause: [...idleAlerts],
          history: history.history.map((h) => `${h.at} ${h.rule} ${h.from}->${h.to}`),
        }),
      );
      // DLQ spike: the first clean scenario dead-letters nothing; the burst sends ~2 %.
      const clean = inStep(0);
      const burst = inStep(1);
      const after = inStep(2);
      assert.equal(burst[0]?.scenario, 'dlq-burst');
      const cleanMax = max(clean.map((s) => s.dlqRatio5m));
      const burstMax5m = max(burst.map((s) => s.dlqRatio5m));
      const burstMax5s = max(burst.map((s) => s.dlqRatio5s));
      assert.ok(cleanMax < 0.001, `clean DLQ ratio ${cleanMax}`);
      assert.ok(burstMax5m > 0.001 && burstMax5m > cleanMax, `burst DLQ ratio (5m) ${burstMax5m}`);
      assert.ok(burstMax5s > 0.005, `burst DLQ ratio (5s) ${burstMax5s}`);
      // ... and it ends: 5 s after the burst the short window holds clean records only.
      const afterMin5s = Math.min(...after.map((s) => s.dlqRatio5s ?? 1));
      assert.ok(afterMin5s < 0.001, `DLQ ratio (5s) after the burst ${afterMin5s}`);

      // The pause: the group reaches PRODUCER_IDLE (API and metric agree) and is never judged
      // STALL or STOP (nor any other alarm status) while the raw topic is quiet.
      const pause = inStep(pauseStep);
      console.log(
        JSON.stringify({
          pause: pause.map((s) => [s.sinceStartMs, s.groupStatus, s.statusMetric, s.rule]),
        }),
      );
      assert.equal(pause[0]?.scenario, 'pause');
      const pauseStatuses = new Set(pause.map((s) => s.groupStatus));
      assert.ok(
        pause.some((s) => s.groupStatus === 'PRODUCER_IDLE' && s.statusMetric === 'PRODUCER_IDLE'),
        `statuses during the pause: ${[...pauseStatuses].join(', ')}`,
      );
      for (const bad of ['STALL', 'STOP', 'DATA_LOSS', 'REWIND', 'STALE']) {
        assert.ok(!pauseStatuses.has(bad), `${bad} during the pause`);
      }
      // Once idle, idle until the producer resumes (the first polls of the pause may still
      // judge a window holding the last records: OK or WARN, never an alarm status).
      const firstIdle = pause.findIndex((s) => s.groupStatus === 'PRODUCER_IDLE');
      assert.deepEqual(
        [...new Set(pause.slice(firstIdle).map((s) => s.groupStatus))],
        ['PRODUCER_IDLE'],
        'PRODUCER_IDLE held through the rest of the pause',
      );
      // No ConsumerGroupUnhealthy or PipelineStale alert, not even pending: their conditions never
      // held. Freshness grows through the pause (no new feature record) but stays below the 60 s
      // target; a pause longer than the target would rightly make PipelineStale fire: the data
      // IS stale then, whatever the consumer's health.
      for (const rule of ['ConsumerGroupUnhealthy', 'PipelineStale']) {
        assert.ok(
          ![...idleAlerts].some((a) => a.startsWith(`${rule}:`)),
          `${rule} during the pause: ${[...idleAlerts].join(', ')}`,
        );
      }
      const pauseFreshness = max(pause.map((s) => s.freshnessSeconds));
      assert.ok(
        pauseFreshness > scenarioSeconds / 2 && pauseFreshness < freshnessTargetSeconds,
        `freshness during the pause ${pauseFreshness}`,
      );
    } finally {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
