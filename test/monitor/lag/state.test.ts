import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LagState, type PollResult, type WatchedGroup } from '../../../monitor/lag/state.js';

const options = {
  historyPoints: 100,
  extrapolationCapSeconds: 600,
  statusWindowMs: 60_000,
  stopAfterMs: 180_000,
  rateWindowMs: 60_000,
};
const watched: WatchedGroup[] = [
  {
    pipeline: {
      name: 'p',
      rawTopics: ['t'],
      featureTopics: [],
      dlqTopics: [],
      groups: ['g'],
      freshnessTargetSeconds: 60,
    },
    group: 'g',
    discovered: false,
  },
];

function poll(atMs: number, committed: number, end: number): PollResult {
  return {
    atMs,
    committed: new Map([['g', new Map([['t/0', committed]])]]),
    ends: new Map([['t/0', { end, logStart: 0 }]]),
    partitionsByTopic: new Map([['t', [0]]]),
  };
}

describe('lag state', () => {
  it('reads 0, not 1, for a partition caught up behind a transaction commit marker', () => {
    // Records 0..8, commit marker at 9 (end 10); the transactional consumer committed 9.
    const state = new LagState(options);
    const p = poll(1_000, 9, 10);
    state.recordEnds(p);
    const needed = state.recordsNeeded(p, watched);
    assert.deepEqual(needed, [{ topic: 't', partition: 0, offset: 9 }]);
    // What the record reader answers: no record between 9 and the end 10.
    state.recordRead(needed[0]!, { kind: 'caught-up', endOffset: 10 });
    state.judge(p, watched);
    const part = state.groupViews(1_000)[0]!.partitions[0]!;
    assert.equal(part.lagMessages, 0);
    assert.equal(part.staleness?.seconds, 0);
    // The answer is cached while the end stays, and asked again once a record arrives.
    assert.equal(state.recordsNeeded(poll(2_000, 9, 10), watched).length, 0);
    assert.equal(state.recordsNeeded(poll(3_000, 9, 11), watched).length, 1);
  });

  it('reads a record once per committed offset and computes staleness when read', () => {
    const state = new LagState(options);
    const p = poll(10_000, 4, 10);
    state.recordEnds(p);
    const [need] = state.recordsNeeded(p, watched);
    state.recordRead(need!, { kind: 'record', offset: 4, timestampMs: 4_000 });
    state.judge(p, watched);
    assert.equal(state.groupViews(10_000)[0]!.partitions[0]!.staleness?.seconds, 6);
    assert.equal(state.groupViews(25_000)[0]!.partitions[0]!.staleness?.seconds, 21);
    assert.equal(state.recordsNeeded(poll(20_000, 4, 12), watched).length, 0, 'cached');
    assert.equal(state.recordsNeeded(poll(30_000, 6, 12), watched).length, 1, 'a new offset');
  });

  it('time to drain = lag ÷ (consume − produce) from the polls, with both rates in the view', () => {
    // Every 10 s the end grows by 100 (10/s) and the commit by 200 (20/s); at 30 s: end 1300,
    // committed 900, lag 400 → 400 / (20 − 10) = 40 s.
    const state = new LagState(options);
    for (let k = 0; k <= 3; k++) {
      const p = poll(k * 10_000, 300 + k * 200, 1000 + k * 100);
      state.recordEnds(p);
      for (const n of state.recordsNeeded(p, watched)) {
        state.recordRead(n, { kind: 'record', offset: n.offset, timestampMs: 0 });
      }
      state.judge(p, watched);
    }
    const view = state.groupViews(30_000)[0]!;
    assert.equal(view.partitions[0]!.consumeRatePerSecond, 20);
    assert.equal(view.partitions[0]!.produceRatePerSecond, 10);
    assert.equal(view.lagMessages, 400);
    assert.equal(view.drainSeconds.t, 40);
  });
});
