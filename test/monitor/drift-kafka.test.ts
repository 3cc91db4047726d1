import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { pipewatchApp } from '../../api/index.js';
import { decodeJsonRecord, startTap, type Tap } from '../../collector/index.js';
import { DriftRuntime, ReadingsBoard, renderBoard } from '../../monitor/index.js';
import {
  openDatabase,
  sqliteReferenceStore,
  sqliteWindowStateStore,
  type SqliteDatabase,
} from '../../store/index.js';
import { normalDraw, promSample, seededRandom, waitFor, weightedDraw } from '../support/drift.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';

const t0 = 1_700_000_000_000;
const channels = { web: 5, pos: 3, app: 2 };

describe('drift on a feature topic (tap → drift sink → monitor → /metrics)', () => {
  let cluster: TestKafkaCluster;
  let dir: string;
  let db: SqliteDatabase;
  before(async () => {
    cluster = await startTestKafka({ brokerCount: 1 });
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-drift-kafka-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
  });
  after(async () => {
    await cluster.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('flags a shifted numeric feature within one window and leaves the categorical one alone', async () => {
    const topic = await cluster.createTopic('features', 2);
    const registry = new Registry();
    const board = new ReadingsBoard();
    const app = Fastify();
    const monitor = new DriftRuntime({
      referenceStore: sqliteReferenceStore(db),
      windowStateStore: sqliteWindowStateStore(db),
      board,
      logger: pino({ level: 'silent' }),
      windows: [{ windowSeconds: 4, subWindowSeconds: 1 }],
      thresholds: { consecutiveWindows: 3 },
      minWindowValues: 500,
      evaluateIntervalMs: 60_000,
      persistIntervalMs: 60_000,
    });
    await app.register(pipewatchApp, {
      metricsRegistry: registry,
      board,
      referenceStore: sqliteReferenceStore(db),
      drift: monitor,
    });

    // References through the API: 5000 draws of amount ~ N(100, 15) and of the channel mix.
    const refRandom = seededRandom(11);
    const register = async (feature: string, values: (number | string)[]) => {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/references',
        payload: { topic, feature, values },
      });
      assert.equal(response.statusCode, 201, response.body);
    };
    await register(
      'amount',
      Array.from({ length: 5000 }, () => normalDraw(refRandom, 100, 15)),
    );
    await register(
      'channel',
      Array.from({ length: 5000 }, () => weightedDraw(refRandom, channels)),
    );
    monitor.refresh(t0);

    let nowMs = t0;
    let seen = 0;
    const tap: Tap = await startTap({
      kafka: cluster.client(),
      groupId: uniqueName('drift-tap'),
      topics: [topic],
      decode: decodeJsonRecord,
      sinks: [monitor.sink, { name: 'count', onRecord: () => void seen++ }],
      metricsRegistry: registry,
      logger: pino({ level: 'silent' }),
      clock: () => nowMs,
      fromBeginning: true,
    });
    const producer = cluster.client().producer();
    await producer.connect();
    const random = seededRandom(23);
    const send = async (count: number, amountMean: number) => {
      const messages = Array.from({ length: count }, (_, i) => ({
        key: String(i % 50),
        value: JSON.stringify({
          amount: normalDraw(random, amountMean, 15),
          channel: weightedDraw(random, channels),
        }),
      }));
      await producer.send({ topic, messages });
    };
    const amount = { topic, feature: 'amount', window: '4s' };
    const channel = { topic, feature: 'channel', window: '4s' };
    try {
      // Unshifted period.
      await send(2000, 100);
      await waitFor(() => seen === 2000, '2000 unshifted records');
      monitor.evaluate(t0 + 500);
      let text = renderBoard(board);
      assert.equal(promSample(text, 'pipewatch_feature_drift_window_values', amount), 2000);
      for (const labels of [amount, channel]) {
        const psi = promSample(text, 'pipewatch_feature_drift', { ...labels, metric: 'psi' })!;
        assert.ok(psi < 0.1, `unshifted ${labels.feature}: psi ${psi}`);
        assert.equal(promSample(text, 'pipewatch_feature_drift_detected', labels), 0);
      }

      // Shifted period, once the unshifted values have slid out of the 4 s window: mean + 0.5 sd.
      nowMs = t0 + 10_000;
      await send(2000, 107.5);
      await waitFor(() => seen === 4000, '2000 shifted records');
      monitor.evaluate(nowMs + 500);
      text = renderBoard(board);
      assert.equal(promSample(text, 'pipewatch_feature_drift_window_values', amount), 2000);
      const psi = promSample(text, 'pipewatch_feature_drift', { ...amount, metric: 'psi' })!;
      const critical = promSample(text, 'pipewatch_feature_drift_critical', {
        ...amount,
        metric: 'psi',
      })!;
      assert.ok(psi > critical && psi > 0.1, `shifted amount: psi ${psi}, critical ${critical}`);
      const channelPsi = promSample(text, 'pipewatch_feature_drift', {
        ...channel,
        metric: 'psi',
      })!;
      assert.ok(channelPsi < 0.1, `unshifted channel: psi ${channelPsi}`);
      // The mass moved up by 0.5 sd. Expected PSI terms (normal cdf, Python) over this
      // reference's deciles: upper tail [e9 = 120.3, +inf) ≈ 0.066 (share 0.10 → 0.20), lower
      // tail [-inf, e1 = 80.8) ≈ 0.061 (0.10 → 0.037), every inner bin ≤ 0.037: ranks 1 and 2
      // are the two tail bins, in an order within sampling noise (0.0707 and 0.0690 here).
      const topBin = (rank: string) => {
        const prefix = `pipewatch_feature_drift_bin_contribution{topic="${topic}",feature="amount",window="4s",rank="${rank}",bin="`;
        const line = text.split('\n').find((l) => l.startsWith(prefix));
        return line?.slice(prefix.length, line.indexOf('"}'));
      };
      const tails = [topBin('1'), topBin('2')].map((bin) =>
        bin?.startsWith('[-inf, ') ? 'lower' : bin?.endsWith(', +inf)') ? 'upper' : bin,
      );
      assert.deepEqual(tails.sort(), ['lower', 'upper']);

      // k = 3 sub-window slides of drift → detected; the channel never is.
      monitor.evaluate(nowMs + 1500);
      monitor.evaluate(nowMs + 2500);
      text = renderBoard(board);
      assert.equal(promSample(text, 'pipewatch_feature_drift_detected', amount), 1);
      assert.equal(promSample(text, 'pipewatch_feature_drift_detected', channel), 0);
      const overview = (await app.inject({ url: '/api/v1/drift' })).json<{
        features: { feature: string; detected: boolean }[];
      }>();
      assert.deepEqual(
        overview.features.map((f) => [f.feature, f.detected]),
        [
          ['amount', true],
          ['channel', false],
        ],
      );
    } finally {
      await producer.disconnect();
      await tap.stop();
      monitor.stop();
      await app.close();
    }
  });
});
