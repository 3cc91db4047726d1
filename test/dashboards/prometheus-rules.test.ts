import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { ReadingsBoard } from '../../monitor/index.js';
import { defaultRules, RuleEngine } from '../../rules/index.js';
import { tempDir } from '../alerts/support.js';

const installed = spawnSync('prometheus', ['--version']).status === 0;
const skip = installed
  ? false
  : 'prometheus not installed (bash scripts/setup.sh --test installs it)';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * A real Prometheus scrapes pipewatch's /metrics (counters on the board: 4 DLQ records per 2000
 * source records a second = 0.2 %) and evaluates the exported rule file. Scraping adds
 * instance/job labels and the two counters name the topic differently, so this is the label
 * mismatch on real data. It takes the rule's real `for` (2 m): time cannot be faked in Prometheus.
 */
describe(
  'a real Prometheus with the exported rules fires DLQRatioHigh as pipewatch does',
  { skip },
  () => {
    const tmp = tempDir();
    const board = new ReadingsBoard();
    let app: FastifyInstance;
    let prometheus: ChildProcess | undefined;
    let promUrl = '';
    let timer: NodeJS.Timeout | undefined;
    let log = '';

    before(async () => {
      if (!installed) return;
      board.describe({
        name: 'pipewatch_dlq_records_total',
        help: 'DLQ records.',
        type: 'counter',
        labelNames: ['pipeline', 'source_topic', 'error_type'],
      });
      board.describe({
        name: 'pipewatch_topic_records_total',
        help: 'Records seen on a topic.',
        type: 'counter',
        labelNames: ['topic'],
      });
      let dlq = 0;
      let records = 0;
      const publish = () => {
        board.publish('test', [
          {
            name: 'pipewatch_dlq_records_total',
            labels: {
              pipeline: 'transactions',
              source_topic: 'raw.transactions',
              error_type: 'SCHEMA_VIOLATION',
            },
            value: dlq,
            atMs: Date.now(),
          },
          {
            name: 'pipewatch_topic_records_total',
            labels: { topic: 'raw.transactions' },
            value: records,
            atMs: Date.now(),
          },
        ]);
      };
      publish();
      timer = setInterval(() => {
        dlq += 1;
        records += 500;
        publish();
      }, 250);
      app = Fastify();
      await app.register(pipewatchApp, {
        metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
        board,
      });
      const target = new URL(await app.listen({ host: '127.0.0.1', port: 0 })).host;
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      const config = join(tmp.dir, 'prometheus.yml');
      writeFileSync(
        config,
        [
          'global: {scrape_interval: 1s, evaluation_interval: 1s}',
          `rule_files: ['${resolve('dashboards/prometheus/rules/pipewatch-defaults.yml')}']`,
          'scrape_configs:',
          `  - {job_name: pipewatch, static_configs: [{targets: ['${target}']}]}`,
          '',
        ].join('\n'),
      );
      prometheus = spawn(
        'prometheus',
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(tmp.dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      prometheus.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
    });

    after(async () => {
      clearInterval(timer);
      if (prometheus && prometheus.exitCode === null) {
        const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await exited;
      }
      await app?.close();
      tmp.cleanup();
    });

    it('DLQRatioHigh goes pending, then firing, with pipeline and source_topic labels', async () => {
      interface PromAlert {
        labels: Record<string, string>;
        state: string;
        value: string;
      }
      const alerts = async (): Promise<PromAlert[]> => {
        try {
          const body = (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as {
            data: { alerts: PromAlert[] };
          };
          return body.data.alerts.filter((a) => a.labels.alertname === 'DLQRatioHigh');
        } catch {
          return [];
        }
      };
      let seenPending = false;
      let firing: PromAlert | undefined;
      // The bound only keeps a broken run from hanging: `for` is 2 m.
      const end = Date.now() + 240_000;
      while (Date.now() < end && !firing) {
        const list = await alerts();
        if (list.some((a) => a.state === 'pending')) seenPending = true;
        firing = list.find((a) => a.state === 'firing');
        if (!firing) await sleep(1000);
      }
      assert.ok(firing, `Prometheus never fired DLQRatioHigh\n${log}`);
      assert.ok(seenPending, 'the alert was pending before it fired');
      assert.equal(firing.labels.pipeline, 'transactions');
      assert.equal(firing.labels.source_topic, 'raw.transactions');
      assert.ok(Math.abs(Number(firing.value) - 0.002) < 1e-4, `ratio ${firing.value}`);

      // pipewatch's own engine, given the same ratio as a reading, fires the same alert.
      const engine = new RuleEngine(
        defaultRules([
          {
            name: 'transactions',
            rawTopics: ['raw.transactions'],
            featureTopics: [],
            dlqTopics: [],
            groups: [],
            freshnessTargetSeconds: 60,
          },
        ]),
      );
      const t = Date.now();
      for (const s of [0, 60, 120]) {
        engine.evaluate(
          [
            {
              name: 'pipewatch_dlq_ratio',
              labels: { pipeline: 'transactions', source_topic: 'raw.transactions', window: '5m' },
              value: Number(firing.value),
              atMs: t + s * 1000,
            },
          ],
          t + s * 1000,
        );
      }
      const ours = engine.alerts().find((a) => a.rule === 'DLQRatioHigh');
      assert.equal(ours?.status, 'firing');
      assert.equal(ours?.labels.pipeline, firing.labels.pipeline);
      assert.equal(ours?.labels.source_topic, firing.labels.source_topic);
      assert.equal(ours?.labels.severity, firing.labels.severity);
    });
  },
);
