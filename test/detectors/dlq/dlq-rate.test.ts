import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampToSkew, DlqRateDetector, SlidingCounts } from '../../../detectors/index.js';

const windows = [
  { windowSeconds: 300, subWindowSeconds: 10 },
  { windowSeconds: 3600, subWindowSeconds: 60 },
];
// A round start: 1_700_000_000_000 is a multiple of 10 s and of 60 s... of 20 s too.
const t0 = 1_700_000_400_000; // multiple of 60 000
const detector = (sourceTopics = ['raw']) =>
  new DlqRateDetector({ sourceTopics, windows, maxSkewMs: 300_000 });
const ratioOf = (d: DlqRateDetector, nowMs: number, topic: string, window: string) =>
  d.evaluate(nowMs).ratios.find((r) => r.sourceTopic === topic && r.window === window);

describe('DLQ rate detector', () => {
  it('is DLQ records / source records per window, counted by record timestamp', () => {
    const d = detector();
    // 1000 source records over the last 100 s, 15 of them dead-lettered (10 semantic, 5 schema).
    for (let i = 0; i < 1000; i++) d.recordSource('raw', t0 + i * 100, t0 + 100_000);
    for (let i = 0; i < 10; i++) d.recordDlq('raw', 'SEMANTIC_ERROR', t0 + i * 1000, t0 + 100_000);
    for (let i = 0; i < 5; i++) d.recordDlq('raw', 'SCHEMA_VIOLATION', t0 + i * 1000, t0 + 100_000);
    const now = t0 + 100_000;
    assert.deepEqual(ratioOf(d, now, 'raw', '5m'), {
      sourceTopic: 'raw',
      window: '5m',
      windowSeconds: 300,
      dlqRecords: 15,
      sourceRecords: 1000,
      ratio: 0.015,
    });
    assert.equal(ratioOf(d, now, 'raw', '1h')?.ratio, 0.015);
    const byType = d
      .evaluate(now)
      .byErrorType.filter((r) => r.window === '5m')
      .map((r) => [r.errorType, r.ratio])
      .sort();
    assert.deepEqual(byType, [
      ['SCHEMA_VIOLATION', 0.005],
      ['SEMANTIC_ERROR', 0.01],
    ]);
    assert.deepEqual(
      d
        .evaluate(now)
        .totals.map((t) => [t.errorType, t.records])
        .sort(),
      [
        ['SCHEMA_VIOLATION', 5],
        ['SEMANTIC_ERROR', 10],
      ],
    );
  });

  it('slides: records leave the 5m window after 5 minutes but stay in the 1h one', () => {
    const d = detector();
    // Burst in sub-window [t0, t0+10s): 100 source, 50 DLQ.
    for (let i = 0; i < 100; i++) d.recordSource('raw', t0 + i * 10, t0 + 1000);
    for (let i = 0; i < 50; i++) d.recordDlq('raw', 'COMPUTE_ERROR', t0 + i * 10, t0 + 1000);
    // Then clean traffic: 1 source record per second from t0+10 s to t0+400 s.
    for (let s = 10; s < 400; s++) d.recordSource('raw', t0 + s * 1000, t0 + s * 1000);
    const now = t0 + 400_000;
    // 5m window at now covers sub-windows [t0+110 s, t0+410 s): 290 clean source records.
    const fiveMinutes = ratioOf(d, now, 'raw', '5m');
    assert.equal(fiveMinutes?.sourceRecords, 290);
    assert.equal(fiveMinutes?.dlqRecords, 0);
    assert.equal(fiveMinutes?.ratio, 0);
    // 1h window still holds the burst: 50 / (100 + 390).
    assert.equal(ratioOf(d, now, 'raw', '1h')?.ratio, 50 / 490);
  });

  it('gives no ratio for an idle source: absent, not 0 and not NaN', () => {
    const d = detector(['raw', 'quiet']);
    d.recordSource('raw', t0, t0);
    d.recordDlq('quiet', 'SEMANTIC_ERROR', t0, t0); // a DLQ record, but no source traffic
    const e = d.evaluate(t0 + 1000);
    assert.deepEqual(e.ratios.map((r) => [r.sourceTopic, r.window]).sort(), [
      ['raw', '1h'],
      ['raw', '5m'],
    ]);
    assert.equal(e.byErrorType.filter((r) => r.sourceTopic === 'quiet').length, 0);
    // Once the raw topic is idle past the 1h window, it has no ratio either.
    assert.equal(d.evaluate(t0 + 3_700_000).ratios.length, 0);
  });

  it('keeps DLQ records of unlisted or unknown sources in the totals without a ratio', () => {
    const d = detector();
    d.recordSource('raw', t0, t0);
    d.recordDlq('unknown', 'UNKNOWN', t0, t0);
    const e = d.evaluate(t0);
    assert.deepEqual(
      e.totals.map((t) => [t.sourceTopic, t.errorType, t.records]),
      [['unknown', 'UNKNOWN', 1]],
    );
    assert.equal(ratioOf(d, t0, 'raw', '5m')?.ratio, 0);
    assert.equal(ratioOf(d, t0, 'unknown', '5m'), undefined);
  });

  it('clamps timestamps into [now - skew, now]; a missing one counts at now', () => {
    assert.equal(clampToSkew(t0 - 10_000, t0, 300_000), t0 - 10_000);
    assert.equal(clampToSkew(t0 - 900_000, t0, 300_000), t0 - 300_000);
    assert.equal(clampToSkew(t0 + 60_000, t0, 300_000), t0);
    assert.equal(clampToSkew(-1, t0, 300_000), t0);
    // A backlog from two hours ago, replayed now, counts at the skew edge: older than the 5m
    // window, inside the 1h one (not dropped from every window), and gone 55 minutes later.
    const d = detector();
    d.recordSource('raw', t0 - 7_200_000, t0);
    d.recordDlq('raw', 'SEMANTIC_ERROR', t0 - 7_200_000, t0);
    assert.equal(ratioOf(d, t0, 'raw', '5m'), undefined);
    assert.equal(ratioOf(d, t0, 'raw', '1h')?.ratio, 1);
    assert.equal(ratioOf(d, t0 + 3_300_000, 'raw', '1h'), undefined);
  });

  it('drops a count older than a whole window from that window only', () => {
    const c = new SlidingCounts(windows);
    c.add(t0 + 3_000_000); // newest first
    c.add(t0); // 50 minutes older: outside 5m, inside 1h
    assert.equal(c.sum(0, t0 + 3_000_000), 1);
    assert.equal(c.sum(1, t0 + 3_000_000), 2);
  });

  it('restores its windows and totals from its JSON state; a changed window starts empty', () => {
    const d = detector();
    for (let i = 0; i < 200; i++) d.recordSource('raw', t0 + i * 100, t0 + 20_000);
    for (let i = 0; i < 3; i++) d.recordDlq('raw', 'SEMANTIC_ERROR', t0 + i, t0 + 20_000);
    const json = JSON.parse(JSON.stringify(d.toState())) as unknown;

    const restored = detector();
    assert.equal(restored.restore(json), true);
    assert.deepEqual(restored.evaluate(t0 + 30_000), d.evaluate(t0 + 30_000));

    const changed = new DlqRateDetector({
      sourceTopics: ['raw'],
      windows: [
        { windowSeconds: 300, subWindowSeconds: 10 },
        { windowSeconds: 3600, subWindowSeconds: 300 },
      ],
      maxSkewMs: 300_000,
    });
    assert.equal(changed.restore(json), true);
    assert.equal(ratioOf(changed, t0 + 30_000, 'raw', '5m')?.ratio, 3 / 200);
    assert.equal(ratioOf(changed, t0 + 30_000, 'raw', '1h'), undefined);
    assert.equal(detector().restore({ format: 2 }), false);
  });
});
