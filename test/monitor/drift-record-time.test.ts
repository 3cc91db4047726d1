import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { DecodedRecord } from '../../collector/index.js';
import { categoricalReferenceFromCounts, FeatureWindows } from '../../detectors/index.js';
import {
  DriftRuntime,
  DriftSink,
  ReadingsBoard,
  RecordTimeWindows,
  renderBoard,
} from '../../monitor/index.js';
import { memoryReferenceStore } from '../../store/index.js';
import { promSample } from '../support/drift.js';

// Chosen truth: every value is category "a"; which window counts it depends only on its
// record timestamp. Windows: 5 min by 30 s and 1 h by 5 min (the default's first two).
const nowMs = 1_700_000_400_000; // a multiple of 5 min: sub-window borders are exact
const windows = [
  { windowSeconds: 300, subWindowSeconds: 30 },
  { windowSeconds: 3600, subWindowSeconds: 300 },
];
const reference = categoricalReferenceFromCounts({ categories: ['a', 'b'], counts: [50, 50] });
const minute = 60_000;

function record(timestampMs: number, category = 'a'): DecodedRecord {
  return {
    topic: 't',
    partition: 0,
    offset: '0',
    timestampMs,
    key: null,
    headers: {},
    value: null,
    payload: { c: category },
    schemaId: undefined,
  };
}

/** Values counted per window (5m, 1h) at `atMs`. */
function counts(w: RecordTimeWindows, atMs: number): number[] {
  return w.snapshot(atMs).map((s) => s.n);
}

function sinkWatching(createdAtMs: number, skewMs = 300_000): DriftSink {
  const sink = new DriftSink(windows, skewMs);
  sink.setReferences([{ topic: 't', feature: 'c', version: 1, reference }], createdAtMs);
  return sink;
}

describe('drift windows keyed by record time', () => {
  it('puts a backlog read at one instant into the windows of its record timestamps', () => {
    // A tap that restarted reads, at `nowMs`, records stamped 50, 20, 8 and 2 minutes ago.
    const sink = sinkWatching(nowMs);
    for (const [agoMinutes, n] of [
      [50, 40],
      [20, 30],
      [8, 20],
      [2, 10],
    ] as const) {
      for (let i = 0; i < n; i++) sink.onRecord(record(nowMs - agoMinutes * minute), nowMs);
    }
    const w = sink.get('t', 'c')!.windows;
    // 5 m holds the 2-minute-old values only; 1 h holds all of them. On the tap's clock, both
    // windows would hold all 100.
    assert.deepEqual(counts(w, nowMs), [10, 100]);
    // 4 minutes on, the 2-minute-old values have slid out of the 5 m window (6 min old).
    assert.deepEqual(counts(w, nowMs + 4 * minute), [0, 100]);
    // 11 minutes on, the 50-minute-old values (61 min) have left the hour.
    assert.deepEqual(counts(w, nowMs + 11 * minute), [0, 60]);
  });

  it('folds in values older than the windows’ clock (a partition read behind another)', () => {
    const sink = sinkWatching(nowMs - 10 * minute);
    // Partition 0 is read up to now first; partition 1 then delivers values stamped 3 and 7
    // minutes ago, after an evaluation moved the clock to now.
    for (let i = 0; i < 5; i++) sink.onRecord(record(nowMs - minute / 2), nowMs);
    const w = sink.get('t', 'c')!.windows;
    assert.deepEqual(counts(w, nowMs), [5, 5]);
    for (let i = 0; i < 7; i++) sink.onRecord(record(nowMs - 3 * minute, 'b'), nowMs);
    for (let i = 0; i < 4; i++) sink.onRecord(record(nowMs - 7 * minute, 'b'), nowMs);
    const [fiveMinutes, hour] = w.snapshot(nowMs);
    assert.equal(fiveMinutes!.n, 12, '5 + the 7 values of 3 minutes ago');
    assert.equal(hour!.n, 16);
    // The late values are counted in their own category, not as the current tick's.
    assert.equal(fiveMinutes!.kind === 'categorical' && fiveMinutes!.counts[1], 7);
    // 2.5 minutes later the 3-minute-old values (5.5 min) have slid out of 5 m; the half-minute
    // ones (3 min) stay.
    assert.deepEqual(counts(w, nowMs + 2.5 * minute), [5, 16]);
  });

  it('counts a future timestamp at now and one before every window not at all', () => {
    const sink = sinkWatching(nowMs);
    const w = sink.get('t', 'c')!.windows;
    sink.onRecord(record(nowMs + 60 * minute), nowMs); // producer clock an hour ahead
    sink.onRecord(record(nowMs + 1000), nowMs); // within the skew: not reported
    sink.onRecord(record(nowMs - 66 * minute), nowMs); // > 1 h + 5 min skew ago
    sink.onRecord(record(nowMs - 61 * minute), nowMs); // within the skew, but before the hour
    sink.onRecord(record(-1), nowMs); // Kafka's "no timestamp": the tap's clock
    assert.deepEqual(w.clamped, { future: 1, past: 2 });
    assert.deepEqual(counts(w, nowMs), [3, 3]);
    // Counted at now, the future value leaves the 5 m window 5 minutes on (it would sit in
    // the window for an hour if it were keyed at its own stamp).
    assert.deepEqual(counts(w, nowMs + 5 * minute + 30_000), [0, 3]);
  });

  it('keeps the window contents of a restored state whose clock is behind the backlog', () => {
    // The state was saved 10 minutes ago; the backlog since then arrives in one burst.
    const savedAtMs = nowMs - 10 * minute;
    const state = FeatureWindows.create(reference, savedAtMs, windows);
    const w = new RecordTimeWindows(state, 300_000);
    for (let m = 10; m >= 1; m--) for (let i = 0; i < 3; i++) w.add('a', nowMs - m * minute, nowMs);
    // The 5 m window's ten 30 s sub-windows end with the current one, [now, now + 30 s), so
    // it reaches back 4.5 minutes: the values of minutes 4..1 ago. The hour holds all 30.
    assert.deepEqual(counts(w, nowMs), [12, 30]);
  });
});

describe('drift runtime publishes clamped timestamps', () => {
  it('as pipewatch_feature_drift_timestamps_clamped_total by direction', () => {
    const store = memoryReferenceStore();
    store.register({ topic: 't', feature: 'c', source: 'histogram', reference }, nowMs);
    const board = new ReadingsBoard();
    const runtime = new DriftRuntime({
      referenceStore: store,
      board,
      logger: pino({ level: 'silent' }),
      windows,
      thresholds: {},
      minWindowValues: 1,
      evaluateIntervalMs: 1000,
      persistIntervalMs: 1000,
      maxTimestampSkewMs: 60_000,
    });
    runtime.refresh(nowMs);
    runtime.sink.onRecord(record(nowMs + 2 * minute), nowMs);
    runtime.sink.onRecord(record(nowMs + 30_000), nowMs);
    runtime.evaluate(nowMs);
    const text = renderBoard(board);
    assert.match(text, /^# TYPE pipewatch_feature_drift_timestamps_clamped_total counter$/m);
    const family = 'pipewatch_feature_drift_timestamps_clamped_total';
    assert.equal(promSample(text, family, { feature: 'c', direction: 'future' }), 1);
    assert.equal(promSample(text, family, { feature: 'c', direction: 'past' }), 0);
    const five = { topic: 't', feature: 'c', window: '5m' };
    assert.equal(promSample(text, 'pipewatch_feature_drift_window_values', five), 2);
  });
});
