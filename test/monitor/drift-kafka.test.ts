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
import { normalDraw, promSample, seededRandom, weightedDraw } from '../support/drift.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { waitFor } from '../support/wait.js';

const t0 = 1_700_000_000_000;
const channels = { web: 5, pos: 3, app: 2 };

/** The `bin` label of the bin-contribution sample whose labels include `labels`. */
function binLabel(text: string, labels: Readonly<Record<string, string>>): string | undefined {
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('pipewatch_feature_drift_bin_contribution{') &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line === undefined ? undefined : /[{,]bin="([^"]*)"/.exec(line)?.[1];
}

/**
 * PSI term per decile bin, computed here rather than by the code under test: numpy's default
 * (type-7) quantiles of the reference as edges, bin = number of edges <= x, proportions with a
 * pseudo-count of 0.5 per bin. `edge` is the bin's finite edge for the two tail bins.
 */
function psiTerms(reference: readonly number[], current: readonly number[], bins: number) {
  const sorted = [...reference].sort((a, b) => a - b);
  const edges = Array.from({ length: bins - 1 }, (_, i) => {
    const h = (sorted.length - 1) * ((i + 1) / bins);
    const lo = Math.floor(h);
    return sorted[lo]! + (h - lo) * (sorted[lo + 1]! - sorted[lo]!);
  });
  const counts = (values: readonly number[]) => {
    const c = Array<number>(bins).fill(0);
    for (const x of values) c[edges.filter((e) => e <= x).length]! += 1;
    return c;
  };
  const [q, p] = [counts(reference), counts(current)];
  return q.map((qc, bin) => {
    const qi = (qc + 0.5) / (reference.length + 0.5 * bins);
    const pi = (p[bin]! + 0.5) / (current.length + 0.5 * bins);
    return {
      bin,
      term: (pi - qi) * Math.log(pi / qi),
      edge: bin === 0 ? edges[0]! : edges[bin - 1]!,
    };
  });
}

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
    const amountReference = Array.from({ length: 5000 }, () => normalDraw(refRandom, 100, 15));
    await register('amount', amountReference);
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
    let lastAmounts: number[] = [];
    const send = async (count: number, amountMean: number) => {
      lastAmounts = [];
      const messages = Array.from({ length: count }, (_, i) => {
        const value = normalDraw(random, amountMean, 15);
        lastAmounts.push(value);
        return {
          key: String(i % 50),
          value: JSON.stringify({ amount: value, channel: weightedDraw(random, channels) }),
        };
      });
      await producer.send({ topic, messages });
    };
    const amount = { topic, feature: 'amount', window: '4s' };
    const channel = { topic, feature: 'channel', window: '4s' };
    try {
      // Unshifted period.
      await send(2000, 100);
      await waitFor(() => seen === 2000, { what: '2000 unshifted records' });
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
      await waitFor(() => seen === 4000, { what: '2000 shifted records' });
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
      // The mass moved: the top PSI bin is a tail bin of the reference. Recomputed here from
      // the raw values (type-7 deciles, PSI terms with 0.5 pseudo-counts as in the design), the
      // largest term must be the one ranked 1, with its range as the `bin` label.
      const expected = psiTerms(amountReference, lastAmounts, 10);
      const best = expected.reduce((a, b) => (b.term > a.term ? b : a));
      assert.ok(best.bin === 0 || best.bin === 9, `largest PSI term in inner bin ${best.bin}`);
      const top = binLabel(text, { ...amount, rank: '1' });
      const range = /^\[(.+), (.+)\)$/.exec(top ?? '');
      assert.ok(range, `rank-1 bin label ${top}`);
      const [lo, hi] = [range[1]!, range[2]!];
      if (best.bin === 0) assert.equal(lo, '-inf', top);
      else assert.equal(hi, '+inf', top);
      const edge = Number(best.bin === 0 ? hi : lo);
      assert.ok(Math.abs(edge - best.edge) <= 1e-5 * Math.abs(best.edge), `${top} vs ${best.edge}`);
      const reported = promSample(text, 'pipewatch_feature_drift_bin_contribution', {
        ...amount,
        rank: '1',
      })!;
      assert.ok(Math.abs(reported - best.term) <= 1e-9, `rank-1 term ${reported} vs ${best.term}`);

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
