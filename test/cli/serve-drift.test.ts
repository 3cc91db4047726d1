import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { startService } from '../../cli/commands/serve.js';
import { parseConfig } from '../../config/index.js';
import { promSample } from '../support/drift.js';
import { waitFor } from '../support/wait.js';

/**
 * The composition root's drift wiring: the tap feeds the drift sink, the monitor exports to
 * the service's /metrics and /api/v1/drift, and the window state survives a restart.
 */
describe('serve: feature drift wiring', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-serve-drift-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const config = () =>
    parseConfig(
      {
        dataDir: dir,
        logLevel: 'silent',
        http: { host: '127.0.0.1', port: 0 },
        registry: { port: 0 },
        kafka: { embeddedBrokerCount: 1 },
        // This test writes the feature topic itself (JSON), so the reference pipeline stays off.
        pipeline: { embedded: { enabled: false } },
        collector: { topicFormats: { 'features.transactions': { format: 'json' } } },
        drift: {
          windows: [{ windowSeconds: 3600, subWindowSeconds: 60 }],
          evaluateIntervalMs: 100,
          minWindowValues: 10,
        },
      },
      {},
    );
  const metricsOf = async (url: string) => (await fetch(`${url}/metrics`)).text();
  const labels = { topic: 'features.transactions', feature: 'amount_usd', window: '1h' };

  it('exports drift of a registered feature and restores its windows after a restart', async () => {
    const logger = pino({ level: 'silent' });
    const first = await startService(config(), logger);
    try {
      const registered = await fetch(`${first.httpUrl}/api/v1/references`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          topic: 'features.transactions',
          feature: 'amount_usd',
          values: Array.from({ length: 100 }, (_, i) => i + 1),
        }),
      });
      assert.equal(registered.status, 201);
      // The monitor picks the reference up at its next evaluation; the tap then counts new data.
      const isWatched = async () => {
        const response = await fetch(
          `${first.httpUrl}/api/v1/drift/features.transactions/amount_usd`,
        );
        return response.status === 200;
      };
      await waitFor(isWatched, { what: 'the reference to be watched', intervalMs: 100 });
      const kafka = new Kafka({
        clientId: 'serve-drift-test',
        brokers: [...first.kafkaBrokers],
        logLevel: logLevel.NOTHING,
      });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'features.transactions',
        messages: Array.from({ length: 60 }, (_, i) => ({
          value: JSON.stringify({ amount_usd: 41 + i }),
        })),
      });
      await producer.disconnect();
      let text = '';
      await waitFor(
        async () => {
          text = await metricsOf(first.httpUrl);
          return promSample(text, 'pipewatch_feature_drift_window_values', labels) === 60;
        },
        { what: '60 values in the window', intervalMs: 100 },
      );
      assert.ok(promSample(text, 'pipewatch_feature_drift', { ...labels, metric: 'psi' })! > 0.5);
    } finally {
      await first.stop(); // saves the window state
    }

    const second = await startService(config(), logger);
    try {
      // The first evaluation after start-up already shows the 60 values counted before the stop.
      let restored: number | undefined;
      await waitFor(
        async () => {
          restored = promSample(
            await metricsOf(second.httpUrl),
            'pipewatch_feature_drift_window_values',
            labels,
          );
          return restored !== undefined;
        },
        { what: 'the first evaluation after the restart', intervalMs: 100 },
      );
      assert.equal(restored, 60);
    } finally {
      await second.stop();
    }
  });
});
