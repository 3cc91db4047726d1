import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { DecodedRecord } from '../../collector/index.js';
import {
  FeatureWindows,
  numericReferenceFromValues,
  serializeWindowState,
} from '../../detectors/index.js';
import { DriftRuntime, ReadingsBoard, renderBoard } from '../../monitor/index.js';
import {
  applyMigrations,
  migrations,
  openDatabase,
  sqliteReferenceStore,
  sqliteWindowStateStore,
  type SqliteDatabase,
} from '../../store/index.js';
import { promSample } from '../support/drift.js';

const t0 = 1_700_000_000_000;
const topic = 'features.test';
const window = { topic, feature: 'amount', window: '1m' };

function record(amount: number, timestampMs: number): DecodedRecord {
  return {
    topic,
    partition: 0,
    offset: '0',
    timestampMs,
    key: null,
    headers: {},
    value: null,
    payload: { amount },
    schemaId: undefined,
  };
}

function runtimeOn(db: SqliteDatabase, board = new ReadingsBoard()) {
  return {
    board,
    runtime: new DriftRuntime({
      referenceStore: sqliteReferenceStore(db),
      windowStateStore: sqliteWindowStateStore(db),
      board,
      logger: pino({ level: 'silent' }),
      windows: [{ windowSeconds: 60, subWindowSeconds: 10 }],
      thresholds: { consecutiveWindows: 3 },
      minWindowValues: 50,
      evaluateIntervalMs: 1000,
      persistIntervalMs: 1000,
    }),
  };
}

function consecutive(runtime: DriftRuntime): number | undefined {
  return runtime.feature(topic, 'amount')?.windows[0]?.streak.consecutive;
}

describe('drift streaks across a restart (real SQLite file)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-drift-streaks-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps "k consecutive drifting windows" when a new runtime opens the same file', () => {
    const file = join(dir, 'streaks.sqlite');
    const first = openDatabase(file);
    const reference = numericReferenceFromValues(
      Array.from({ length: 100 }, (_, i) => i + 1),
      { bins: 4, fineBins: 100 },
    );
    sqliteReferenceStore(first).register(
      { topic, feature: 'amount', source: 'values', reference },
      t0,
    );
    // Shifted to 41..100: PSI 1.02 against a critical value of 0.21, every window drifts.
    const a = runtimeOn(first);
    a.runtime.refresh(t0);
    for (let x = 41; x <= 100; x++) a.runtime.sink.onRecord(record(x, t0 + 1000), t0 + 1000);
    a.runtime.evaluate(t0 + 2000);
    a.runtime.evaluate(t0 + 12_000);
    assert.equal(consecutive(a.runtime), 2, 'two sub-window slides of drift');
    a.runtime.stop(); // saves counts and streaks
    first.close();

    const second = openDatabase(file);
    const b = runtimeOn(second);
    b.runtime.refresh(t0 + 12_500);
    // Still in the sub-window of the last step: the saved step index keeps it from stepping.
    b.runtime.evaluate(t0 + 12_500);
    assert.equal(consecutive(b.runtime), 2);
    assert.equal(promSample(renderBoard(b.board), 'pipewatch_feature_drift_detected', window), 0);
    // The third drifting sub-window: k = 3 reached across the restart.
    b.runtime.evaluate(t0 + 22_000);
    assert.equal(consecutive(b.runtime), 3);
    assert.equal(promSample(renderBoard(b.board), 'pipewatch_feature_drift_detected', window), 1);
    assert.deepEqual(sqliteWindowStateStore(second).load(topic, 'amount')?.streaks, [
      {
        window: '1m',
        consecutive: 2,
        drifting: false,
        lastStep: Math.floor((t0 + 12_000) / 10_000),
      },
    ]);
    b.runtime.stop();

    // A new reference version starts its streaks over, like its counts.
    sqliteReferenceStore(second).register(
      { topic, feature: 'amount', source: 'values', reference },
      t0,
    );
    const c = runtimeOn(second);
    c.runtime.refresh(t0 + 23_000);
    for (let x = 41; x <= 100; x++) c.runtime.sink.onRecord(record(x, t0 + 23_000), t0 + 23_000);
    c.runtime.evaluate(t0 + 23_500);
    assert.equal(consecutive(c.runtime), 1);
    c.runtime.stop();
    second.close();
  });

  it('restores a state saved before streaks were kept (file upgraded by migration 0301)', () => {
    const file = join(dir, 'upgrade.sqlite');
    // The file as the previous release left it: migrations up to 0300, one reference and the
    // window state of 60 values, saved without streaks.
    const old = new Database(file);
    applyMigrations(
      old,
      migrations.filter((m) => m.name < '0301'),
    );
    const reference = numericReferenceFromValues(
      Array.from({ length: 100 }, (_, i) => i + 1),
      { bins: 4, fineBins: 100 },
    );
    sqliteReferenceStore(old).register(
      { topic, feature: 'amount', source: 'values', reference },
      t0,
    );
    const state = FeatureWindows.create(reference, t0, [
      { windowSeconds: 60, subWindowSeconds: 10 },
    ]);
    for (let x = 41; x <= 100; x++) state.updateNumber(x, t0 + 1000);
    old
      .prepare(
        `INSERT INTO drift_window_state (topic, feature, reference_version, saved_at_ms, state)
         VALUES (?, 'amount', 1, ?, ?)`,
      )
      .run(topic, t0 + 1000, Buffer.from(serializeWindowState(state)));
    old.close();

    const second = openDatabase(file);
    const b = runtimeOn(second);
    b.runtime.refresh(t0 + 2000);
    b.runtime.evaluate(t0 + 2000);
    assert.equal(
      promSample(renderBoard(b.board), 'pipewatch_feature_drift_window_values', window),
      60,
    );
    assert.equal(consecutive(b.runtime), 1, 'the count starts over, the windows are kept');
    b.runtime.stop();
    second.close();
  });
});
