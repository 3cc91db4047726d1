import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  groupStatus,
  partitionStatus,
  type GroupStatus,
  type OffsetObservation,
  type PartitionVerdict,
} from '../../../detectors/index.js';

// Window 60 s, STOP after 180 s, freshness target 30 s; one observation every 10 s.
const options = { windowMs: 60_000, stopAfterMs: 180_000, freshnessTargetSeconds: 30 };

/** Observations at 0, 10, ... s from rows of [committed, end, logStart?]. */
function observations(rows: readonly (readonly [number | undefined, number, number?])[]) {
  return rows.map(([committed, end, logStart], i): OffsetObservation => ({
    atMs: i * 10_000,
    committed,
    end,
    logStart: logStart ?? 0,
  }));
}

/** The status after each observation, judged with the history up to it. */
function timeline(
  history: readonly OffsetObservation[],
  staleness: (i: number) => number | undefined = () => undefined,
): (GroupStatus | undefined)[] {
  return history.map(
    (o, i) => partitionStatus(history.slice(0, i + 1), staleness(i), o.atMs, options)?.status,
  );
}

describe('partition status over a time window', () => {
  it('has no status without a commit', () => {
    assert.deepEqual(timeline(observations([[undefined, 10]])), [undefined]);
  });

  it('OK for a consumer keeping up with a producer', () => {
    const rows = Array.from({ length: 10 }, (_, i) => [i * 100, i * 100 + 5] as const);
    assert.deepEqual(timeline(observations(rows)), Array(10).fill('OK'));
  });

  it('STALL after a window without progress under lag, STOP after stopAfter, OK when it resumes', () => {
    // Committed stuck at 100 from t=0 while the end grows; resumes (and catches up) at t=220 s.
    const rows: [number, number][] = [];
    for (let i = 0; i <= 21; i++) rows.push([100, 200 + i * 10]);
    rows.push([420, 420]);
    const got = timeline(observations(rows));
    // t=0..50 s: window not covered / lag growing... t=60 s: a full window without progress.
    assert.equal(got[5], 'OK');
    assert.equal(got[6], 'STALL');
    assert.equal(got[17], 'STALL');
    assert.equal(got[18], 'STOP'); // t=180 s
    assert.equal(got[21], 'STOP');
    assert.equal(got[22], 'OK');
  });

  it('STALL is not raised when the lag touched zero within the window', () => {
    // Caught up (lag 0) at t=0..30 s, then nothing consumed: STALL only once the window has lag throughout.
    const rows: [number, number][] = [];
    for (let i = 0; i <= 3; i++) rows.push([100, 100]);
    for (let i = 4; i <= 12; i++) rows.push([100, 100 + i]);
    const got = timeline(observations(rows));
    assert.notEqual(got[8], 'STALL'); // t=80 s: window (20, 80] holds t=30 s with lag 0
    assert.equal(got[9], 'STALL'); // t=90 s: window (30, 90] has lag everywhere
  });

  it('WARN while the lag grows although the consumer commits; left when the lag falls', () => {
    const rows: [number, number][] = [];
    for (let i = 0; i <= 8; i++) rows.push([i * 10, i * 20 + 5]);
    rows.push([200, 170]); // caught up past the end: lag 0
    const got = timeline(observations(rows));
    assert.equal(got[6], 'WARN');
    assert.equal(got[8], 'WARN');
    assert.equal(got[9], 'OK');
  });

  it('REWIND when the committed offset goes back, left once it leaves the window', () => {
    const rows: [number, number][] = [];
    for (let i = 0; i <= 4; i++) rows.push([i * 100, i * 100 + 10]);
    rows.push([0, 510]); // reset to the beginning at t=50 s
    for (let i = 6; i <= 12; i++) rows.push([(i - 5) * 200, 510 + i * 10]);
    const got = timeline(observations(rows));
    assert.equal(got[4], 'OK');
    assert.equal(got[5], 'REWIND');
    assert.equal(got[10], 'REWIND'); // t=100 s: the drop seen at t=50 s is inside (40, 100]
    assert.equal(got[11], 'OK'); // t=110 s: the poll that saw it left the window
  });

  it('PRODUCER_IDLE when caught up and the end does not move; OK once records arrive', () => {
    const rows: [number, number][] = [];
    for (let i = 0; i <= 8; i++) rows.push([500, 500]);
    rows.push([500, 510]);
    rows.push([510, 510]);
    const got = timeline(observations(rows));
    assert.equal(got[5], 'OK'); // window not yet covered
    assert.equal(got[6], 'PRODUCER_IDLE');
    assert.equal(got[8], 'PRODUCER_IDLE');
    assert.equal(got[9], 'OK'); // a record arrived (lag 1)
    assert.equal(got[10], 'OK'); // consumed, but the end moved within the window
  });

  it('DATA_LOSS while committed < log start, with messages lost = log start − committed', () => {
    const history = observations([
      [100, 1000, 0],
      [100, 1000, 250],
    ]);
    const v = partitionStatus(history, undefined, 10_000, options)!;
    assert.equal(v.status, 'DATA_LOSS');
    assert.equal(v.messagesLost, 150);
    const recovered = partitionStatus(
      [...history, { atMs: 20_000, committed: 250, end: 1000, logStart: 250 }],
      undefined,
      20_000,
      options,
    )!;
    assert.notEqual(recovered.status, 'DATA_LOSS');
    assert.equal(recovered.messagesLost, 0);
  });

  it('STALE above the freshness target, OK below it', () => {
    const rows: [number, number][] = [];
    for (let i = 0; i <= 4; i++) rows.push([i * 100, i * 100 + 50]);
    const staleness = (i: number) => (i === 3 ? 31 : 29);
    const got = timeline(observations(rows), staleness);
    assert.deepEqual(got, ['OK', 'OK', 'OK', 'STALE', 'OK']);
  });
});

describe('group status', () => {
  const p = (status: GroupStatus, partition: number): PartitionVerdict => ({
    topic: 't',
    partition,
    status,
    rule: status.toLowerCase(),
    messagesLost: 0,
  });

  it('is the worst partition, naming it and its rule', () => {
    const g = groupStatus([p('OK', 0), p('STALL', 1), p('WARN', 2)])!;
    assert.equal(g.status, 'STALL');
    assert.equal(g.worst?.partition, 1);
    assert.equal(g.rule, 't/1: stall');
    assert.equal(groupStatus([p('STOP', 0), p('DATA_LOSS', 1)])!.status, 'DATA_LOSS');
  });

  it('is PRODUCER_IDLE only when every partition is idle', () => {
    assert.equal(groupStatus([p('PRODUCER_IDLE', 0), p('OK', 1)])!.status, 'OK');
    assert.equal(
      groupStatus([p('PRODUCER_IDLE', 0), p('PRODUCER_IDLE', 1)])!.status,
      'PRODUCER_IDLE',
    );
    assert.equal(groupStatus([]), undefined);
  });
});
