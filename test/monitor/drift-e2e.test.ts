import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { pipewatchApp, startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { createWireChecks, startTap, type Tap } from '../../collector/index.js';
import {
  DriftRuntime,
  ReadingsBoard,
  renderBoard,
  type FeatureDriftState,
} from '../../monitor/index.js';
import {
  avroCodec,
  startFeatureConsumer,
  startProducer,
  type PipelineTopics,
  type RunningFeatureConsumer,
  type RunningProducer,
} from '../../pipeline/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import {
  openDatabase,
  sqliteReferenceStore,
  sqliteWindowStateStore,
  type SqliteDatabase,
} from '../../store/index.js';
import { promSample } from '../support/drift.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { waitFor } from '../support/wait.js';

/**
 * End to end: the reference pipeline (producer → raw topic → micro-batch feature consumer →
 * feature topic, Avro through the embedded registry) tapped by the collector, drift computed
 * on amount_usd (numeric) and channel (categorical). Time is logical: the tap's clock advances
 * one second per `perSecond` feature records, so windows slide with the data, not the machine.
 */
const t0 = 1_700_000_000_000;
const perSecond = 200;
const windowSeconds = 4;

describe('feature drift end to end on the reference pipeline', () => {
  let cluster: TestKafkaCluster;
  let dir: string;
  let db: SqliteDatabase;
  let registryServer: RunningRegistryServer;
  const logger = pino({ level: 'silent' });

  before(async () => {
    cluster = await startTestKafka({ brokerCount: 1 });
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-drift-e2e-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    registryServer = await startRegistryServer({
      db,
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger,
    });
  });
  after(async () => {
    await registryServer.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  });

  it('sees a mean shift of amount_usd within one window, and no drift over a long clean run', async (t) => {
    const topics: PipelineTopics = {
      raw: await cluster.createTopic('raw.transactions', 2),
      features: await cluster.createTopic('features.transactions', 2),
      dlq: await cluster.createTopic('raw.transactions.dlq', 2),
    };
    const codec = () =>
      avroCodec({
        registryUrl: registryServer.url,
        rawTopic: topics.raw,
        featuresTopic: topics.features,
      });
    const kafka = cluster.client();
    const metricsRegistry = new Registry();
    const board = new ReadingsBoard();
    const monitor = new DriftRuntime({
      referenceStore: sqliteReferenceStore(db),
      windowStateStore: sqliteWindowStateStore(db),
      board,
      logger,
      windows: [{ windowSeconds, subWindowSeconds: 1 }],
      thresholds: { consecutiveWindows: 3 },
      minWindowValues: 500,
      evaluateIntervalMs: 3_600_000,
      persistIntervalMs: 3_600_000,
    });
    const app: FastifyInstance = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry,
      board,
      referenceStore: sqliteReferenceStore(db),
      drift: monitor,
    });

    let seen = 0;
    const clock = () => t0 + Math.floor(seen / perSecond) * 1000;
    const captured = { amount_usd: [] as number[], channel: [] as string[] };
    let capturing = true;
    const { decode } = createWireChecks({ registryUrl: registryServer.url, metricsRegistry });
    let consumer: RunningFeatureConsumer | undefined;
    let producer: RunningProducer | undefined;
    let tap: Tap | undefined;
    try {
      consumer = await startFeatureConsumer({
        brokers: cluster.brokers,
        topics,
        groupId: uniqueName('features'),
        codec: codec(),
        logger,
      });
      tap = await startTap({
        kafka: cluster.client(),
        groupId: uniqueName('tap'),
        topics: [topics.features],
        decode,
        sinks: [
          monitor.sink,
          {
            name: 'capture',
            onRecord: (record) => {
              seen++;
              if (!capturing) return;
              captured.amount_usd.push(record.payload.amount_usd as number);
              captured.channel.push(record.payload.channel as string);
            },
          },
        ],
        metricsRegistry,
        logger,
        clock,
        fromBeginning: true,
      });
      producer = await startProducer({
        kafka,
        topic: topics.raw,
        codec: codec(),
        ratePerSecond: 600,
        seed: 5,
        logger,
      });

      // 1. Reference: 3000 feature records of the unshifted producer, registered via the API.
      await waitFor(() => seen >= 3000, { what: 'the reference period', timeoutMs: 60_000 });
      capturing = false;
      for (const feature of ['amount_usd', 'channel'] as const) {
        const response = await app.inject({
          method: 'POST',
          url: '/api/v1/references',
          payload: { topic: topics.features, feature, values: captured[feature].slice(0, 3000) },
        });
        assert.equal(response.statusCode, 201, response.body);
      }
      monitor.refresh(clock());

      // 2. A long unshifted run: one evaluation per logical second, none may flag drift.
      const evaluateAt = async (count: number) => {
        await waitFor(() => seen >= count, { what: `${count} feature records`, timeoutMs: 60_000 });
        const nowMs = clock();
        monitor.evaluate(nowMs);
        return { nowMs, states: monitor.features() };
      };
      const windowOf = (state: FeatureDriftState) => state.windows[0]!;
      let decided = 0;
      let next = seen + perSecond;
      for (let i = 0; i < 30; i++, next += perSecond) {
        const { states } = await evaluateAt(next);
        for (const state of states) {
          const w = windowOf(state);
          assert.equal(w.evaluation.drift, false, `${state.feature} drifted at evaluation ${i}`);
          assert.equal(state.detected, false);
          if (w.evaluation.decided) decided++;
        }
      }
      assert.ok(decided >= 40, `only ${decided} decided windows in the clean run`);
      const clean = renderBoard(board);
      for (const feature of ['amount_usd', 'channel']) {
        const labels = { topic: topics.features, feature, window: `${windowSeconds}s` };
        assert.equal(promSample(clean, 'pipewatch_feature_drift_detected', labels), 0);
        const psi = promSample(clean, 'pipewatch_feature_drift', { ...labels, metric: 'psi' })!;
        assert.ok(psi < 0.1, `${feature}: psi ${psi} in the clean run`);
      }

      // 3. Shift amount_usd's mean by +25 USD: PSI must pass its critical value within one
      // window (windowSeconds evaluations, one per logical second), channel must stay clean.
      // Drain the unshifted backlog first so the window sees the shift from its first second.
      const running = producer;
      running.setFaults({ paused: true });
      await waitFor(() => seen >= running.stats().sent, {
        what: 'the pipeline to drain',
        timeoutMs: 60_000,
      });
      const shiftedFrom = seen;
      running.setFaults({ paused: false, amountShift: { addUsd: 25 } });
      const trace: string[] = [];
      let crossedAfter: number | undefined;
      for (let i = 1; i <= windowSeconds + 3; i++) {
        const { states } = await evaluateAt(shiftedFrom + i * perSecond);
        const text = renderBoard(board);
        const labels = {
          topic: topics.features,
          feature: 'amount_usd',
          window: `${windowSeconds}s`,
        };
        const psi = promSample(text, 'pipewatch_feature_drift', { ...labels, metric: 'psi' })!;
        const critical = promSample(text, 'pipewatch_feature_drift_critical', {
          ...labels,
          metric: 'psi',
        })!;
        trace.push(`${i}s: psi ${psi.toFixed(4)} critical ${critical.toFixed(4)}`);
        if (crossedAfter === undefined && psi > critical && psi > 0.1) crossedAfter = i;
        const channel = states.find((s) => s.feature === 'channel')!;
        assert.equal(windowOf(channel).evaluation.drift, false, 'channel flagged');
        assert.equal(channel.detected, false);
      }
      assert.ok(
        crossedAfter !== undefined && crossedAfter <= windowSeconds,
        `PSI crossed its critical value after ${crossedAfter} s (window ${windowSeconds} s): ${trace.join('; ')}`,
      );
      t.diagnostic(`clean run: ${decided} decided windows; shift: ${trace.join('; ')}`);
      const final = renderBoard(board);
      const amount = { topic: topics.features, feature: 'amount_usd', window: `${windowSeconds}s` };
      assert.equal(promSample(final, 'pipewatch_feature_drift_detected', amount), 1);
      assert.equal(
        promSample(final, 'pipewatch_feature_drift_detected', { ...amount, feature: 'channel' }),
        0,
      );
    } finally {
      await producer?.stop();
      await consumer?.stop();
      await tap?.stop();
      monitor.stop();
      await app.close();
    }
  });
});
