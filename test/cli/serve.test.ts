import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli, spawnCli } from '../support/cli.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'pipewatch-cli-'));

describe('pipewatch command line', () => {
  it('prints usage and exits 2 with no command, and for an unknown command', async () => {
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stdout, /usage: pipewatch <command>/);
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  });

  it('rejects a bad flag with exit 2, naming the flag', async () => {
    const result = await runCli(['serve', '--port', '1']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /error USAGE: Unknown option '--port'/);
    assert.match(result.stderr, /usage: pipewatch serve/);
  });

  it('refuses to start on a bad config file, naming the key (exit 2)', async () => {
    const file = join(tempDir(), 'pipewatch.yaml');
    writeFileSync(file, 'http:\n  port: 8080\nkafka:\n  brokers: [localhost:9092]\n  timeout: 5\n');
    const result = await runCli(['serve', '--config', file]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /CONFIG_INVALID/);
    assert.match(result.stderr, /unknown key kafka\.timeout/);
  });

  it('exits 1 with KAFKA_UNREACHABLE naming the broker when no broker answers', async () => {
    const dir = tempDir();
    const file = join(dir, 'pipewatch.yaml');
    writeFileSync(file, 'kafka:\n  connectTimeoutMs: 2000\nlogLevel: silent\n');
    const result = await runCli(['serve', '--config', file], {
      PIPEWATCH_KAFKA_BROKERS: '127.0.0.1:1',
      PIPEWATCH_DATA_DIR: dir,
      PIPEWATCH_HTTP_PORT: '0',
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /KAFKA_UNREACHABLE/);
    assert.match(result.stderr, /127\.0\.0\.1:1/);
  });

  it('serves the embedded default and shuts down cleanly on SIGTERM', async () => {
    const dir = tempDir();
    // Short drift timings; the fault cycle stays on its first, clean scenario.
    const configFile = join(dir, 'pipewatch.yaml');
    writeFileSync(
      configFile,
      [
        'pipeline:',
        '  embedded:',
        '    faultScenarioSeconds: 3600',
        '    autoReferenceAfterSeconds: 6',
        'drift:',
        '  evaluateIntervalMs: 1000',
        '',
      ].join('\n'),
    );
    const service = spawnCli(['serve', '--config', configFile], {
      PIPEWATCH_DATA_DIR: dir,
      PIPEWATCH_HTTP_PORT: '0',
      PIPEWATCH_HTTP_HOST: '127.0.0.1',
      PIPEWATCH_REGISTRY_PORT: '0',
    });
    try {
      const embedded = await service.waitForLog(
        'no brokers configured: started the embedded Kafka mock cluster',
      );
      assert.match(String(embedded.bootstrapServers), /^127\.0\.0\.1:\d+(,127\.0\.0\.1:\d+)*$/);
      const up = await service.waitForLog('pipewatch is up');
      const base = String(up.http);
      assert.equal(up.sqlite, join(dir, 'pipewatch.sqlite'));

      const registry = await fetch(`${String(up.schemaRegistry)}/subjects`);
      assert.equal(registry.status, 200, 'the embedded schema registry answers');
      assert.deepEqual(
        ((await registry.json()) as string[]).sort(),
        ['features.transactions-value', 'raw.transactions-value'],
        'the embedded pipeline registered its schemas there',
      );

      // The embedded reference pipeline produces and transforms, and the tap reads both topics.
      const counted = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
      let text = '';
      for (let i = 0; i < 120; i++) {
        text = await (await fetch(`${base}/metrics`)).text();
        if (
          counted(text, /^pipewatch_topic_records_total\{topic="raw\.transactions"\} (\d+)/m) > 0 &&
          counted(text, /^pipewatch_topic_records_total\{topic="features\.transactions"\} (\d+)/m) >
            0
        ) {
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(
        counted(
          text,
          /^pipewatch_pipeline_records_out_total\{role="microbatch_consumer",topic="features\.transactions"\} (\d+)/m,
        ) > 0,
        'the embedded feature consumer wrote features',
      );
      assert.ok(
        counted(text, /^pipewatch_topic_records_total\{topic="features\.transactions"\} (\d+)/m) >
          0,
        'the tap read the feature topic',
      );

      // References for the pipeline's features are captured from the first clean stretch, and
      // their drift series appear on /metrics.
      let references: { feature: string; source: string }[] = [];
      for (let i = 0; i < 60 && references.length < 3; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const listed = (await (await fetch(`${base}/api/v1/references`)).json()) as {
          references: { feature: string; source: string }[];
        };
        references = listed.references;
      }
      // Per-record features only: a rolling 1-hour feature is still filling up (issue 9, 14).
      assert.deepEqual(references.map((r) => `${r.feature}:${r.source}`).sort(), [
        'amount_to_balance_ratio:capture',
        'amount_usd:capture',
        'channel:capture',
      ]);
      const driftSeries =
        /^pipewatch_feature_drift\{[^}]*feature="amount_usd"[^}]*metric="psi"[^}]*\} [\d.e+-]+$/m;
      for (let i = 0; i < 40 && !driftSeries.test(text); i++) {
        await new Promise((r) => setTimeout(r, 500));
        text = await (await fetch(`${base}/metrics`)).text();
      }
      assert.match(text, driftSeries);

      const violations = await fetch(`${base}/api/v1/schema-violations`);
      assert.equal(violations.status, 200, 'the tap reports schema violations');
      const drift = (await (await fetch(`${base}/api/v1/drift`)).json()) as {
        features: { topic: string; feature: string }[];
      };
      assert.deepEqual(
        drift.features.map((f) => `${f.topic}/${f.feature}`).sort(),
        references.map((r) => `features.transactions/${r.feature}`).sort(),
        'the drift API watches every registered feature',
      );

      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /^pipewatch_build_info\{version="[^"]+",node_version="v\d+/m);
      // Readiness follows the Kafka health probe, which answers within a moment of start-up.
      let ready = await fetch(`${base}/readyz`);
      for (let i = 0; i < 50 && ready.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        ready = await fetch(`${base}/readyz`);
      }
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), {
        status: 'ready',
        checks: { sqlite: true, kafka: true, pipeline: true },
      });
    } finally {
      service.child.kill('SIGTERM');
    }
    assert.equal(await service.exited, 0, service.output.stderr);
    assert.match(service.output.stdout, /"component":"sqlite","msg":"stopped"/);
  });
});
