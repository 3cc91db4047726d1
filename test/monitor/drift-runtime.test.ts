import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { pipewatchApp } from '../../api/index.js';
import type { DecodedRecord } from '../../collector/index.js';
import {
  categoricalReferenceFromCounts,
  numericReferenceFromValues,
} from '../../detectors/index.js';
import {
  memoryReferenceStore,
  openDatabase,
  sqliteReferenceStore,
  sqliteWindowStateStore,
  type SqliteDatabase,
} from '../../store/index.js';
import { DriftRuntime, ReadingsBoard, renderBoard } from '../../monitor/index.js';

const t0 = 1_700_000_000_000;
const topic = 'features.test';

function record(payload: Record<string, unknown>, timestampMs = t0): DecodedRecord {
  return {
    topic,
    partition: 0,
    offset: '0',
    timestampMs,
    key: null,
    headers: {},
    value: null,
    payload,
    schemaId: undefined,
  };
}

/** Metric lines of one family from the exposition text, e.g. `pipewatch_feature_drift{`. */
function sample(text: string, prefix: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${prefix}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('DriftRuntime', () => {
  let dir: string;
  const logger = pino({ level: 'silent' });
  const windows = [{ windowSeconds: 60, subWindowSeconds: 10 }];

  function monitorOn(database: SqliteDatabase, board = new ReadingsBoard()) {
    return {
      board,
      /** The board as /metrics renders it. */
      metrics: () => renderBoard(board),
      monitor: new DriftRuntime({
        referenceStore: sqliteReferenceStore(database),
        windowStateStore: sqliteWindowStateStore(database),
        board,
        logger,
        windows,
        thresholds: { consecutiveWindows: 2 },
        minWindowValues: 50,
        evaluateIntervalMs: 1000,
        persistIntervalMs: 1000,
      }),
    };
  }

  /** A new database with a numeric and a categorical reference (each test its own). */
  function seeded(name: string): SqliteDatabase {
    const db = openDatabase(join(dir, `${name}.sqlite`));
    const store = sqliteReferenceStore(db);
    store.register(
      {
        topic,
        feature: 'amount',
        source: 'values',
        reference: numericReferenceFromValues(
          Array.from({ length: 100 }, (_, i) => i + 1),
          { bins: 4, fineBins: 100 },
        ),
      },
      t0,
    );
    store.register(
      {
        topic,
        feature: 'country',
        source: 'histogram',
        reference: categoricalReferenceFromCounts({ categories: ['a', 'b'], counts: [50, 50] }),
      },
      t0,
    );
    return db;
  }

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-drift-runtime-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('feeds payload fields to the windows and exports readings, criticals and bins', async () => {
    const db = seeded('exports');
    const { monitor, metrics } = monitorOn(db);
    monitor.refresh(t0);
    // amount shifted to 41..100; country as in the reference; one wrong type, some nulls.
    for (let x = 41; x <= 100; x++) {
      monitor.sink.onRecord(record({ amount: x, country: x % 2 ? 'a' : 'b' }), t0 + 1000);
    }
    monitor.sink.onRecord(record({ amount: 'x', country: null }), t0 + 1000);
    monitor.sink.onRecord(record({ other: 1 }), t0 + 1000);
    monitor.sink.onRecord({ ...record({ amount: 1 }), topic: 'elsewhere' }, t0 + 1000);
    monitor.evaluate(t0 + 2000);
    const text = metrics();
    const amount = { topic, feature: 'amount', window: '1m' };
    assert.equal(sample(text, 'pipewatch_feature_drift_window_values', amount), 60);
    assert.equal(
      sample(text, 'pipewatch_feature_drift_reference_values', { feature: 'amount' }),
      100,
    );
    // scipy: PSI 1.0228048462237, critical chi2.ppf(.95, 3)·(1/100 + 1/60) = 0.208392744...
    const psi = sample(text, 'pipewatch_feature_drift', { ...amount, metric: 'psi' })!;
    const critical = sample(text, 'pipewatch_feature_drift_critical', {
      ...amount,
      metric: 'psi',
    })!;
    assert.ok(Math.abs(psi - 1.0228048462237) < 1e-9, String(psi));
    assert.ok(Math.abs(critical - 0.20839274408669808) < 1e-9, String(critical));
    assert.ok(
      sample(text, 'pipewatch_feature_drift_pvalue', { ...amount, metric: 'ks_statistic' })! < 1e-4,
    );
    // Rank 1 is the emptied bin [-inf, 25.75): reference 25 of 100, window 0 of 60. PSI terms
    // (p - q)·ln(p / q) with p = (c + 0.5) / (N + 2), q = (c + 0.5) / (M + 2), computed in
    // Python: 0.8308033559238257 for that bin, 0.08029652068373866 for each of the two bins
    // the window fills like the reference (ranks 2 and 3), 0.0314084489323970 for [25.75, 50.5).
    const contribution = (labels: Record<string, string>) =>
      sample(text, 'pipewatch_feature_drift_bin_contribution', { ...amount, ...labels });
    const rank1 = contribution({ rank: '1', bin: '[-inf, 25.75)' });
    assert.ok(rank1 !== undefined && Math.abs(rank1 - 0.8308033559238257) < 1e-9, String(rank1));
    for (const rank of ['2', '3']) {
      const term = contribution({ rank });
      assert.ok(term !== undefined && Math.abs(term - 0.08029652068373866) < 1e-9, String(term));
    }
    assert.equal(contribution({ bin: '[25.75, 50.5)' }), undefined, 'only the top 3 bins');
    // 1 null + 1 missing field of 62 rows for country; 1 invalid + 1 missing for amount.
    const country = { topic, feature: 'country', window: '1m' };
    assert.ok(
      Math.abs(
        sample(text, 'pipewatch_feature_drift', { ...country, metric: 'null_rate' })! - 2 / 62,
      ) < 1e-12,
    );
    assert.ok(
      Math.abs(
        sample(text, 'pipewatch_feature_drift', { ...amount, metric: 'invalid_ratio' })! - 1 / 62,
      ) < 1e-12,
    );
    // One drifting window is not enough (k = 2); the next sub-window's is.
    assert.equal(sample(text, 'pipewatch_feature_drift_detected', amount), 0);
    monitor.evaluate(t0 + 5000); // same sub-window: the streak does not step
    assert.equal(sample(metrics(), 'pipewatch_feature_drift_detected', amount), 0);
    monitor.evaluate(t0 + 12_000);
    const later = metrics();
    assert.equal(sample(later, 'pipewatch_feature_drift_detected', amount), 1);
    assert.equal(sample(later, 'pipewatch_feature_drift_detected', country), 0);
    monitor.stop();
    db.close();
  });

  it('answers /api/v1/drift with readings and both histograms, 404 for an unknown feature', async () => {
    const db = seeded('api');
    const { monitor, board } = monitorOn(db);
    monitor.refresh(t0);
    for (let x = 1; x <= 100; x++) monitor.sink.onRecord(record({ amount: x, country: 'a' }), t0);
    monitor.evaluate(t0 + 1000);
    const app = Fastify();
    await app.register(pipewatchApp, { metricsRegistry: new Registry(), drift: monitor, board });
    const list = (await app.inject({ url: '/api/v1/drift' })).json<{
      features: {
        feature: string;
        detected: boolean;
        windows: { window: string; readings: unknown[] }[];
      }[];
    }>();
    assert.deepEqual(
      list.features.map((f) => f.feature),
      ['amount', 'country'],
    );
    assert.equal(list.features[0]!.windows[0]!.window, '1m');
    const one = await app.inject({ url: `/api/v1/drift/${topic}/amount` });
    assert.equal(one.statusCode, 200);
    const body = one.json<{
      referenceHistogram: { bins: string[]; edges: number[]; counts: number[] };
      windows: {
        currentHistogram: { counts: number[] };
        readings: { metric: string; value: number }[];
      }[];
    }>();
    assert.deepEqual(body.referenceHistogram.edges, [25.75, 50.5, 75.25]);
    assert.deepEqual(body.referenceHistogram.counts, [25, 25, 25, 25]);
    // The current 1..100 lands 25 per bin, like the reference.
    assert.deepEqual(body.windows[0]!.currentHistogram.counts, [25, 25, 25, 25]);
    // /metrics renders the board: the drift families with their types and help.
    const scrape = (await app.inject({ url: '/metrics' })).body;
    assert.match(scrape, /^# TYPE pipewatch_feature_drift gauge$/m);
    assert.match(scrape, /^# HELP pipewatch_feature_drift_detected 1 when the window drifted/m);
    const m = { topic, feature: 'amount', window: '1m' };
    assert.equal(sample(scrape, 'pipewatch_feature_drift_window_values', m), 100);
    const missing = await app.inject({ url: `/api/v1/drift/${topic}/nope` });
    assert.equal(missing.statusCode, 404);
    assert.equal(
      missing.json<{ error: { code: string } }>().error.code,
      'DRIFT_FEATURE_NOT_WATCHED',
    );
    await app.close();
    monitor.stop();
    db.close();
  });

  it('restores the window counts after a restart, and drops them for a new reference version', async () => {
    const file = join(dir, 'restart.sqlite');
    const first = openDatabase(file);
    const store = sqliteReferenceStore(first);
    const reference = numericReferenceFromValues(
      Array.from({ length: 100 }, (_, i) => i),
      { bins: 4, fineBins: 20 },
    );
    store.register({ topic, feature: 'amount', source: 'values', reference }, t0);
    const before1 = monitorOn(first);
    before1.monitor.refresh(t0);
    for (let i = 0; i < 70; i++) before1.monitor.sink.onRecord(record({ amount: i }), t0 + 1000);
    before1.monitor.stop(); // saves
    first.close();

    const second = openDatabase(file);
    const after1 = monitorOn(second);
    after1.monitor.refresh(t0 + 3000);
    after1.monitor.evaluate(t0 + 3000);
    const window = { topic, feature: 'amount', window: '1m' };
    assert.equal(sample(after1.metrics(), 'pipewatch_feature_drift_window_values', window), 70);

    // A new version: the saved state (of version 1) is discarded, counting starts over.
    after1.monitor.stop();
    sqliteReferenceStore(second).register(
      { topic, feature: 'amount', source: 'values', reference },
      t0,
    );
    const again = monitorOn(second);
    again.monitor.refresh(t0 + 4000);
    again.monitor.evaluate(t0 + 4000);
    assert.equal(sample(again.metrics(), 'pipewatch_feature_drift_window_values', window), 0);

    // Deleting the reference removes its series.
    sqliteReferenceStore(second).delete(topic, 'amount');
    again.monitor.refresh(t0 + 5000);
    const text = again.metrics();
    assert.equal(sample(text, 'pipewatch_feature_drift', { feature: 'amount' }), undefined);
    assert.equal(sample(text, 'pipewatch_feature_drift_window_values', window), undefined);
    assert.equal(sqliteWindowStateStore(second).load(topic, 'amount'), undefined);
    again.monitor.stop();
    second.close();
  });
});

describe('DriftRuntime.notifying', () => {
  it('watches a reference as soon as it is registered, and forgets it when deleted', () => {
    // The monitor reads the same store the API writes through the wrapper.
    const shared = memoryReferenceStore();
    const monitor = new DriftRuntime({
      referenceStore: shared,
      board: new ReadingsBoard(),
      logger: pino({ level: 'silent' }),
      windows: [{ windowSeconds: 60, subWindowSeconds: 10 }],
      thresholds: {},
      minWindowValues: 1,
      evaluateIntervalMs: 1000,
      persistIntervalMs: 1000,
      nowMs: () => t0,
    });
    const store = monitor.notifying(shared);
    store.register(
      {
        topic,
        feature: 'country',
        source: 'histogram',
        reference: categoricalReferenceFromCounts({ categories: ['a'], counts: [1] }),
      },
      t0,
    );
    assert.equal(monitor.sink.get(topic, 'country')?.version, 1);
    assert.equal(store.list().length, 1);
    store.delete(topic, 'country');
    assert.equal(monitor.sink.get(topic, 'country'), undefined);
  });
});
