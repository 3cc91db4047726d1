import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitTracker, nextOffsets } from '../../pipeline/index.js';

const at = (partition: number, offset: number) => ({ topic: 'raw', partition, offset });

describe('CommitTracker', () => {
  it('commits only the acknowledged prefix, whatever order batches finish in', () => {
    const tracker = new CommitTracker();
    const a = tracker.add([at(0, 10), at(1, 5)]);
    const b = tracker.add([at(0, 20)]);
    const c = tracker.add([at(1, 9)]);
    tracker.acknowledge(c);
    tracker.acknowledge(b);
    assert.deepEqual(tracker.take(), [], 'nothing before the first batch is acknowledged');
    tracker.acknowledge(a);
    assert.deepEqual(tracker.take(), [at(0, 20), at(1, 9)]);
    assert.deepEqual(tracker.take(), [], 'handed out once');
    assert.equal(tracker.inFlight, 0);
  });

  it('forgets unacknowledged batches on reset, keeping what was already safe', () => {
    const tracker = new CommitTracker();
    tracker.acknowledge(tracker.add([at(0, 3)]));
    const lost = tracker.add([at(0, 8)]);
    tracker.reset();
    tracker.acknowledge(lost);
    assert.deepEqual(tracker.take(), [at(0, 3)]);
  });

  it('takes the next offset per partition of a batch', () => {
    const records = [
      { topic: 'raw', partition: 1, offset: 4 },
      { topic: 'raw', partition: 0, offset: 7 },
      { topic: 'raw', partition: 1, offset: 5 },
    ];
    assert.deepEqual(nextOffsets(records), [at(1, 6), at(0, 8)]);
  });
});
