import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startService } from '../../cli/commands/serve.js';
import { embeddedDriftFeatures } from '../../cli/service/auto-references.js';
import { parseConfig } from '../../config/index.js';
import { embeddedFaultScenarios, faultCyclePeriods } from '../../pipeline/index.js';
import { promSample } from '../support/drift.js';

/**
 * The embedded default with its fault cycle, time-compressed (8 s scenarios, 300 records/s, a
 * 6 s drift window by 1 s slides), run through one whole cycle (the drift scenarios last two
 * periods, as in the real cycle). Known truth per scenario:
 *
 * - issue 9 item 14: a window that holds only clean data (no scenario that perturbs the
 *   feature overlapped it) never has drift detected, for every auto-watched feature; the
 *   amount-drift scenario is detected on amount_usd, the channel-mix scenario on channel.
 * - item 18: each fault shows on /metrics: DLQ records by error type and schema violations by
 *   kind appear in their scenario and not before, drift is detected for amount_usd, and the
 *   producer writes nothing while paused.
 */
const scenarioSeconds = 8;
const windowSeconds = 6;
/** Pipeline latency + evaluation period + a streak's reset: how long a fault may still show. */
const slackMs = 6000;
const perturbs: Record<string, readonly string[]> = {
  amount_usd: ['amount-drift'],
  amount_to_balance_ratio: ['amount-drift'],
  channel: ['channel-mix-and-nulls'],
};

interface Sample {
  readonly atMs: number;
  readonly metrics: string;
  /** feature → detected (any window). */
  readonly detected: Record<string, boolean>;
}
interface ScenarioSpan {
  readonly name: string;
  readonly startMs: number;
  endMs: number;
}

describe('serve: the embedded fault cycle shows each scenario, and clean data is never flagged', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-fault-cycle-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs one compressed cycle against known truth', async () => {
    const spans: ScenarioSpan[] = [];
    const logLines = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        for (const line of chunk.toString().split('\n')) {
          if (!line.includes('embedded pipeline fault scenario')) continue;
          const entry = JSON.parse(line) as { scenario: string; time: number };
          const previous = spans.at(-1);
          if (previous) previous.endMs = entry.time;
          spans.push({ name: entry.scenario, startMs: entry.time, endMs: Infinity });
        }
        callback();
      },
    });
    const config = parseConfig(
      {
        dataDir: dir,
        logLevel: 'info',
        http: { host: '127.0.0.1', port: 0 },
        registry: { port: 0 },
        kafka: { embeddedBrokerCount: 1 },
        pipeline: {
          producer: { ratePerSecond: 300 },
          embedded: {
            faultScenarioSeconds: scenarioSeconds,
            autoReferenceAfterSeconds: scenarioSeconds - 1,
          },
        },
        drift: {
          windows: [{ windowSeconds, subWindowSeconds: 1 }],
          evaluateIntervalMs: 500,
          minWindowValues: 300,
        },
      },
      {},
    );
    const service = await startService(config, pino({ level: 'info' }, logLines));
    const samples: Sample[] = [];
    const cycleMs = faultCyclePeriods() * scenarioSeconds * 1000;
    try {
      const started = Date.now();
      let ready: Response | undefined;
      while (Date.now() - started < cycleMs + scenarioSeconds * 1000 + slackMs) {
        const [metrics, drift] = await Promise.all([
          fetch(`${service.httpUrl}/metrics`).then((r) => r.text()),
          fetch(`${service.httpUrl}/api/v1/drift`).then(
            (r) => r.json() as Promise<{ features: { feature: string; detected: boolean }[] }>,
          ),
        ]);
        const detected: Record<string, boolean> = {};
        for (const f of drift.features) detected[f.feature] = f.detected;
        samples.push({ atMs: Date.now(), metrics, detected });
        ready ??= await fetch(`${service.httpUrl}/readyz`);
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.deepEqual(await ready?.json(), {
        status: 'ready',
        checks: { sqlite: true, kafka: true, pipeline: true },
      });
    } finally {
      await service.stop();
    }

    assert.deepEqual(
      spans.slice(0, embeddedFaultScenarios.length).map((s) => s.name),
      embeddedFaultScenarios.map((s) => s.name),
      'the cycle went through every scenario',
    );
    const span = (name: string) => spans.find((s) => s.name === name)!;
    const activeAt = (t: number) => spans.filter((s) => s.startMs <= t && t < s.endMs);
    /** Scenarios whose data may be in a window evaluated at t. */
    const inWindowAt = (t: number) =>
      spans.filter((s) => s.startMs <= t && s.endMs > t - windowSeconds * 1000 - slackMs);

    // Item 14: no false alarm on clean data; the drift scenarios are detected.
    const watched = new Set(samples.flatMap((s) => Object.keys(s.detected)));
    assert.deepEqual([...watched].sort(), [...embeddedDriftFeatures].sort());
    const falseAlarms: string[] = [];
    for (const sample of samples) {
      for (const [feature, detected] of Object.entries(sample.detected)) {
        const faulty = inWindowAt(sample.atMs).some((s) => perturbs[feature]!.includes(s.name));
        if (detected && !faulty) {
          const now = activeAt(sample.atMs).map((s) => s.name);
          falseAlarms.push(`${feature} at ${sample.atMs - spans[0]!.startMs} ms (${now.join()})`);
        }
      }
    }
    assert.deepEqual(falseAlarms, [], 'drift detected where the window held only clean data');
    // Within the scenario itself, not only once it is over.
    const detectedDuring = (feature: string, scenario: string) => {
      const s = span(scenario);
      return samples.some((x) => x.detected[feature] && x.atMs >= s.startMs && x.atMs <= s.endMs);
    };
    assert.ok(detectedDuring('amount_usd', 'amount-drift'), 'amount drift detected');
    assert.ok(detectedDuring('channel', 'channel-mix-and-nulls'), 'channel mix detected');

    // Item 18: each scenario shows on /metrics, and not before it.
    const at = (t: number) => samples.filter((s) => s.atMs <= t).at(-1)!.metrics;
    const value = (text: string, family: string, labels: Record<string, string>) =>
      promSample(text, family, labels) ?? 0;
    const raw = 'raw.transactions';
    const firstCleanEnd = span('clean').endMs;
    const dlqEnd = span('dlq-burst').endMs + slackMs;
    const schemaStart = span('schema-faults').startMs;
    const schemaEnd = span('schema-faults').endMs + slackMs;
    const dlq = (text: string, type: string) =>
      value(text, 'pipewatch_pipeline_dlq_records_total', { error_type: type });
    const violations = (text: string, kind: string) =>
      value(text, 'pipewatch_schema_violations_total', { topic: raw, kind });
    assert.equal(dlq(at(firstCleanEnd), 'SCHEMA_VIOLATION'), 0, 'no DLQ record while clean');
    assert.equal(dlq(at(firstCleanEnd), 'SEMANTIC_ERROR'), 0);
    assert.equal(violations(at(firstCleanEnd), 'no_magic_byte'), 0);
    assert.ok(dlq(at(dlqEnd), 'SCHEMA_VIOLATION') > 0, 'malformed records in the DLQ');
    assert.ok(dlq(at(dlqEnd), 'SEMANTIC_ERROR') > 0, 'negative amounts in the DLQ');
    assert.ok(violations(at(dlqEnd), 'no_magic_byte') > 0, 'malformed records are violations');
    assert.equal(violations(at(schemaStart), 'unknown_schema_id'), 0);
    assert.ok(violations(at(schemaEnd), 'unknown_schema_id') > 0, 'unregistered schema ids');
    const wrongSchema = (text: string) =>
      violations(text, 'wrong_subject') + violations(text, 'incompatible_schema');
    assert.equal(wrongSchema(at(schemaStart)), 0);
    assert.ok(wrongSchema(at(schemaEnd)) > 0, 'records in the incompatible v2 schema');
    const detectedMetric = (text: string) =>
      value(text, 'pipewatch_feature_drift_detected', { feature: 'amount_usd' });
    const amount = span('amount-drift');
    assert.ok(
      samples.some(
        (s) =>
          s.atMs >= amount.startMs &&
          s.atMs <= amount.endMs + slackMs &&
          detectedMetric(s.metrics) === 1,
      ),
      'pipewatch_feature_drift_detected{feature="amount_usd"} is 1 in the amount-drift scenario',
    );
    const pause = span('pause');
    const produced = (text: string) =>
      value(text, 'pipewatch_pipeline_records_out_total', { role: 'producer' });
    const pausedFrom = produced(at(pause.startMs + 3000));
    const pausedTo = produced(at(Math.min(pause.endMs, pause.startMs + scenarioSeconds * 1000)));
    assert.ok(pausedFrom > 0);
    assert.equal(pausedTo, pausedFrom, 'nothing produced while paused');
  });
});
