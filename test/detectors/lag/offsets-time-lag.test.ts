import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addEndOffsetSample,
  consumableLag,
  consumeRatePerSecond,
  drainSeconds,
  interpolatedTimeLag,
  messagesLost,
  offsetLag,
  producerIdleSeconds,
  produceRatePerSecond,
  stalenessSeconds,
  type EndOffsetTable,
} from '../../../detectors/index.js';

describe('offset lag', () => {
  it('is end − max(committed, log start), never negative', () => {
    assert.equal(offsetLag({ committed: 70, end: 100, logStart: 0 }), 30);
    assert.equal(offsetLag({ committed: 100, end: 100, logStart: 0 }), 0);
    // A commit past the end (a racing poll) is not negative lag.
    assert.equal(offsetLag({ committed: 105, end: 100, logStart: 0 }), 0);
    // Below the log start: only what still exists counts as lag.
    assert.equal(offsetLag({ committed: 10, end: 100, logStart: 40 }), 60);
  });

  it('is unknown (undefined), never 0, without a commit', () => {
    assert.equal(offsetLag({ committed: undefined, end: 100, logStart: 0 }), undefined);
    assert.equal(messagesLost({ committed: undefined, end: 100, logStart: 50 }), undefined);
  });

  it('counts messages lost as log start − committed', () => {
    assert.equal(messagesLost({ committed: 10, end: 100, logStart: 40 }), 30);
    assert.equal(messagesLost({ committed: 40, end: 100, logStart: 40 }), 0);
  });
});

/** 10 records/s from t=0: at t (s), end = 10·t. Record k appended at k/10 s (chosen truth). */
function steadyTable(points: number, stepS: number): EndOffsetTable {
  let table: EndOffsetTable = [];
  for (let i = 0; i < points; i++) {
    table = addEndOffsetSample(table, { endOffset: i * stepS * 10, atMs: i * stepS * 1000 }, 100);
  }
  return table;
}

describe('consumable lag (transaction markers, compacted gaps)', () => {
  it('is 0 for a transactional consumer caught up behind a commit marker, not 1', () => {
    // Records 0..8, commit marker at 9, end 10; the consumer committed 9 (after its last record).
    const p = { committed: 9, end: 10, logStart: 0 };
    assert.equal(offsetLag(p), 1);
    assert.equal(consumableLag(p, { kind: 'caught-up', endOffset: 10 }), 0);
    // A record arrived after the read: the answer is stale, the raw lag stands.
    assert.equal(consumableLag({ ...p, end: 12 }, { kind: 'caught-up', endOffset: 10 }), 3);
  });

  it('does not count a gap between the committed offset and the first record', () => {
    // Offsets 10..14 compacted away; the first record at >= 10 is 15; end 20: 5 to read.
    const p = { committed: 10, end: 20, logStart: 0 };
    assert.equal(consumableLag(p, { kind: 'record', offset: 15, timestampMs: 0 }), 5);
    assert.equal(consumableLag(p, undefined), 10);
    assert.equal(
      consumableLag({ ...p, committed: undefined }, { kind: 'caught-up', endOffset: 20 }),
      undefined,
    );
  });
});

describe('interpolated time lag', () => {
  it('matches the true append time within its error bound on a steady producer', () => {
    const table = steadyTable(7, 10); // samples at 0, 10, ..., 60 s; end 0..600
    const nowMs = 60_000;
    // Record 250 was appended at 25 s (between t=20 s, end=200 and t=30 s, end=300): lag 35 s.
    const lag = interpolatedTimeLag(table, 250, nowMs, 600)!;
    assert.equal(lag.method, 'interpolated');
    assert.ok(Math.abs(lag.seconds - 35) <= 0.1 + 1e-9, `lag ${lag.seconds}`);
    assert.ok(lag.errorSeconds <= 10, 'bounded by the bracketing gap');
    assert.ok(Math.abs(lag.seconds - 35) <= lag.errorSeconds);
  });

  it('is 0 when caught up', () => {
    assert.deepEqual(interpolatedTimeLag(steadyTable(3, 10), 200, 20_000, 600), {
      seconds: 0,
      method: 'interpolated',
      errorSeconds: 0,
    });
  });

  it('extrapolates below the oldest sample, capped but never below the known bound', () => {
    // Table from t=100 s (end 1000) to t=200 s (end 2000): 10 records/s.
    let table: EndOffsetTable = [];
    table = addEndOffsetSample(table, { endOffset: 1000, atMs: 100_000 }, 10);
    table = addEndOffsetSample(table, { endOffset: 2000, atMs: 200_000 }, 10);
    // Offset 500 at 10/s is 50 s before t=100 s: lag at t=200 s = 150 s, 50 s of it extrapolated.
    const lag = interpolatedTimeLag(table, 500, 200_000, 600)!;
    assert.equal(lag.method, 'extrapolated');
    assert.ok(Math.abs(lag.seconds - 150) < 1e-9);
    assert.ok(Math.abs(lag.errorSeconds - 50) < 1e-9);
    // Offset 0 would be 200 s old by extrapolation; a 120 s cap stops at the known 100 s bound.
    const capped = interpolatedTimeLag(table, 0, 200_000, 120)!;
    assert.equal(capped.seconds, 120);
    const floor = interpolatedTimeLag(table, 0, 200_000, 30)!;
    assert.equal(floor.seconds, 100, 'the cap never hides the lag the table proves');
  });

  it('is undefined with one sample and lag (no rate), and the table clears when the end goes back', () => {
    const one = addEndOffsetSample([], { endOffset: 100, atMs: 0 }, 10);
    assert.equal(interpolatedTimeLag(one, 50, 10_000, 600), undefined);
    const reset = addEndOffsetSample(steadyTable(4, 10), { endOffset: 5, atMs: 40_000 }, 10);
    assert.deepEqual(reset, [{ endOffset: 5, atMs: 40_000 }]);
  });

  it('keeps the first and last sample of an idle run and at most maxPoints samples', () => {
    let t: EndOffsetTable = [];
    for (const [e, s] of [
      [0, 0],
      [100, 10],
      [100, 20],
      [100, 30],
      [200, 40],
    ] as const) {
      t = addEndOffsetSample(t, { endOffset: e, atMs: s * 1000 }, 100);
    }
    assert.deepEqual(
      t.map((x) => x.atMs / 1000),
      [0, 10, 30, 40],
    );
    // Record 150 was appended in (30 s, 40 s]: the interpolation uses the last idle sample.
    const lag = interpolatedTimeLag(t, 150, 40_000, 600)!;
    assert.ok(lag.seconds > 0 && lag.seconds < 10);
    assert.ok(lag.errorSeconds <= 10);
    assert.equal(steadyTable(50, 1).length, 50);
    let capped: EndOffsetTable = [];
    for (let i = 0; i < 20; i++) capped = addEndOffsetSample(capped, { endOffset: i, atMs: i }, 5);
    assert.equal(capped.length, 5);
    assert.equal(capped[0]!.endOffset, 15);
  });
});

describe('rates, idleness, drain, staleness', () => {
  it('produce rate and idleness from the table', () => {
    const table = steadyTable(7, 10);
    assert.equal(produceRatePerSecond(table, 30_000), 10);
    const idle = addEndOffsetSample(
      addEndOffsetSample(table, { endOffset: 600, atMs: 70_000 }, 100),
      { endOffset: 600, atMs: 90_000 },
      100,
    );
    // End 600 first seen at 60 s: idle for 30 s at t=90 s.
    assert.equal(producerIdleSeconds(idle, 90_000), 30);
    assert.equal(producerIdleSeconds(table, 60_000), 0);
  });

  it('consume rate from committed offsets, a rewind counting as no progress', () => {
    const obs = [0, 10, 20, 30].map((s) => ({
      atMs: s * 1000,
      committed: s * 20,
      end: 1000,
      logStart: 0,
    }));
    assert.equal(consumeRatePerSecond(obs, 60_000), 20);
    const rewound = [...obs, { atMs: 40_000, committed: 0, end: 1000, logStart: 0 }];
    assert.equal(consumeRatePerSecond(rewound, 10_000), 0);
  });

  it('time to drain = lag ÷ (consume − produce) only when gaining', () => {
    assert.equal(drainSeconds(1000, 30, 10), 50);
    assert.equal(drainSeconds(1000, 10, 10), undefined);
    assert.equal(drainSeconds(0, 0, 10), 0);
    assert.equal(drainSeconds(10, undefined, 1), undefined);
  });

  it('staleness = now − record timestamp, 0 when caught up or ahead of now', () => {
    assert.equal(stalenessSeconds({ kind: 'record', offset: 5, timestampMs: 1_000 }, 61_000), 60);
    assert.equal(stalenessSeconds({ kind: 'caught-up', endOffset: 5 }, 61_000), 0);
    assert.equal(stalenessSeconds({ kind: 'record', offset: 5, timestampMs: 90_000 }, 61_000), 0);
  });
});
