import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kafkaApiKey, kafkaErrorCode } from '../../../kafka/index.js';
import { commitOffsets } from './support.js';
import {
  groupStatusOf,
  pipeline,
  produce,
  reading,
  startHarness,
  T0,
  type Harness,
} from './harness.js';

/** Status window 60 s, STOP after 120 s; polls 10 s apart on the monitor's clock. */
describe('group status on the test Kafka cluster, reached and left', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.stop());

  it('paused consumer: STALL after a window without progress, STOP later, OK once it catches up', async () => {
    const topic = await h.cluster.createTopic('st-stall', 1);
    const m = h.monitor([pipeline('p', [topic], ['g-stall'])], { stopAfterMs: 120_000 });
    await produce(h.producer, topic, 0, [T0]);
    await commitOffsets(h.cluster.brokers, 'g-stall', [{ topic, partition: 0, offset: 0 }]);
    const seen: string[] = [];
    for (let k = 0; k <= 13; k++) {
      await produce(h.producer, topic, 0, [T0 + k * 10_000]); // the producer goes on
      h.clock.nowMs = T0 + k * 10_000;
      await m.tick();
      seen.push(groupStatusOf(h.board, 'p', 'g-stall')!);
    }
    assert.equal(seen[5], 'OK', 'not yet a full window');
    assert.equal(seen[6], 'STALL');
    assert.equal(seen[11], 'STALL');
    assert.equal(seen[12], 'STOP');
    assert.equal(
      reading(h.board, 'pipewatch_partition_status', {
        pipeline: 'p',
        group: 'g-stall',
        topic,
        partition: '0',
        status: 'STOP',
      }),
      1,
    );
    const end = 16; // 1 + 14 + 1 records
    await produce(h.producer, topic, 0, [T0]);
    await commitOffsets(h.cluster.brokers, 'g-stall', [{ topic, partition: 0, offset: end }]);
    h.clock.nowMs = T0 + 140_000;
    await m.tick();
    assert.equal(groupStatusOf(h.board, 'p', 'g-stall'), 'OK');
    assert.equal(
      h.board.readings({ name: 'pipewatch_partition_status', labels: { group: 'g-stall' } }).length,
      0,
    );
    const detail = m.groups(h.clock.nowMs).find((g) => g.group === 'g-stall')!;
    assert.equal(detail.partitions[0]!.lagMessages, 0);
  });

  it('idle producer: PRODUCER_IDLE (not a dead consumer), OK when records flow again', async () => {
    const topic = await h.cluster.createTopic('st-idle', 2);
    const m = h.monitor([pipeline('p', [topic], ['g-idle'])]);
    await produce(h.producer, topic, 0, [T0, T0]);
    await produce(h.producer, topic, 1, [T0]);
    await commitOffsets(h.cluster.brokers, 'g-idle', [
      { topic, partition: 0, offset: 2 },
      { topic, partition: 1, offset: 1 },
    ]);
    const seen: string[] = [];
    for (let k = 0; k <= 7; k++) {
      h.clock.nowMs = T0 + k * 10_000;
      await m.tick();
      seen.push(groupStatusOf(h.board, 'p', 'g-idle')!);
    }
    assert.deepEqual(seen.slice(5), ['OK', 'PRODUCER_IDLE', 'PRODUCER_IDLE']);
    assert.equal(reading(h.board, 'pipewatch_topic_idle_seconds', { topic, partition: '0' }), 70);
    await produce(h.producer, topic, 0, [T0 + 75_000]);
    await commitOffsets(h.cluster.brokers, 'g-idle', [{ topic, partition: 0, offset: 3 }]);
    h.clock.nowMs = T0 + 80_000;
    await m.tick();
    assert.equal(
      groupStatusOf(h.board, 'p', 'g-idle'),
      'OK',
      'partition 0 moved: the group is not idle',
    );
    assert.equal(reading(h.board, 'pipewatch_topic_idle_seconds', { topic, partition: '0' }), 0);
  });

  it('offset reset backwards: REWIND, left once the reset leaves the window', async () => {
    const topic = await h.cluster.createTopic('st-rewind', 1);
    const m = h.monitor([pipeline('p', [topic], ['g-rewind'])]);
    await produce(
      h.producer,
      topic,
      0,
      Array.from({ length: 20 }, () => T0),
    );
    await commitOffsets(h.cluster.brokers, 'g-rewind', [{ topic, partition: 0, offset: 20 }]);
    h.clock.nowMs = T0;
    await m.tick();
    await commitOffsets(h.cluster.brokers, 'g-rewind', [{ topic, partition: 0, offset: 5 }]);
    const seen: string[] = [];
    for (let k = 1; k <= 8; k++) {
      if (k > 1) {
        await produce(h.producer, topic, 0, [T0 + k * 10_000]);
        await commitOffsets(h.cluster.brokers, 'g-rewind', [
          { topic, partition: 0, offset: 5 + k * 2 },
        ]);
      }
      h.clock.nowMs = T0 + k * 10_000;
      await m.tick();
      seen.push(groupStatusOf(h.board, 'p', 'g-rewind')!);
    }
    // The reset is seen at T0 + 10 s; the window (t − 60 s, t] holds that poll until t = 70 s.
    assert.deepEqual(seen.slice(0, 6), Array(6).fill('REWIND'));
    assert.notEqual(seen[6], 'REWIND');
  });

  it('retention passing the committed offset: DATA_LOSS with the messages lost, left on a new commit', async () => {
    // The mock keeps about 5 MB per partition: 8 records of 800 kB push the oldest out.
    const topic = await h.cluster.createTopic('st-loss', 1);
    const m = h.monitor([pipeline('p', [topic], ['g-loss'])]);
    await commitOffsets(h.cluster.brokers, 'g-loss', [{ topic, partition: 0, offset: 0 }]);
    const big = Buffer.alloc(800_000, 1);
    for (let i = 0; i < 8; i++) {
      await h.producer.send({
        topic,
        acks: -1,
        messages: [{ partition: 0, value: big, timestamp: String(T0 + i) }],
      });
    }
    const offsets = await h.admin.fetchTopicOffsets(topic);
    const low = Number(offsets[0]!.low);
    assert.ok(low > 0, 'the mock dropped the oldest records');
    h.clock.nowMs = T0 + 10_000;
    await m.tick();
    assert.equal(groupStatusOf(h.board, 'p', 'g-loss'), 'DATA_LOSS');
    assert.equal(
      reading(h.board, 'pipewatch_consumer_group_messages_lost', {
        pipeline: 'p',
        group: 'g-loss',
        topic,
      }),
      low,
    );
    // Lag counts only what still exists: end − log start.
    assert.equal(
      reading(h.board, 'pipewatch_consumer_group_lag_messages', {
        pipeline: 'p',
        group: 'g-loss',
        topic,
        partition: '0',
      }),
      8 - low,
    );
    await commitOffsets(h.cluster.brokers, 'g-loss', [{ topic, partition: 0, offset: 8 }]);
    h.clock.nowMs = T0 + 20_000;
    await m.tick();
    assert.equal(groupStatusOf(h.board, 'p', 'g-loss'), 'OK');
  });

  it('STALE when the oldest unconsumed record is older than the freshness target', async () => {
    const topic = await h.cluster.createTopic('st-stale', 1);
    const p = { ...pipeline('p-stale', [topic], ['g-stale']), freshnessTargetSeconds: 30 };
    const m = h.monitor([p]);
    await produce(h.producer, topic, 0, [T0, T0 + 50_000]);
    await commitOffsets(h.cluster.brokers, 'g-stale', [{ topic, partition: 0, offset: 0 }]);
    h.clock.nowMs = T0 + 20_000;
    await m.tick();
    assert.equal(groupStatusOf(h.board, 'p-stale', 'g-stale'), 'OK');
    h.clock.nowMs = T0 + 40_000;
    await m.tick();
    assert.equal(groupStatusOf(h.board, 'p-stale', 'g-stale'), 'STALE');
    // Consumed the first record: the oldest unconsumed is stamped T0 + 50 s.
    await commitOffsets(h.cluster.brokers, 'g-stale', [{ topic, partition: 0, offset: 1 }]);
    h.clock.nowMs = T0 + 60_000;
    await m.tick();
    assert.equal(groupStatusOf(h.board, 'p-stale', 'g-stale'), 'OK');
  });

  it('a failed request degrades only the numbers it feeds, is counted, and the loop goes on', async () => {
    const topic = await h.cluster.createTopic('st-fail', 1);
    await produce(h.producer, topic, 0, [T0, T0]);
    await commitOffsets(h.cluster.brokers, 'g-fail-a', [{ topic, partition: 0, offset: 1 }]);
    await commitOffsets(h.cluster.brokers, 'g-fail-b', [{ topic, partition: 0, offset: 1 }]);
    const m = h.monitor([pipeline('p-fail', [topic], ['g-fail-a', 'g-fail-b'])]);
    const errorsBefore = m.collector().errors.offset_fetch!;
    h.cluster.faults?.pushRequestErrors(kafkaApiKey.OffsetFetch, [
      kafkaErrorCode.NOT_ENOUGH_REPLICAS,
    ]);
    h.clock.nowMs = T0 + 10_000;
    await m.tick();
    const polled = m.groups(h.clock.nowMs).filter((g) => g.pipeline === 'p-fail');
    if (h.cluster.isMock) {
      assert.equal(polled.filter((g) => !g.polled).length, 1, 'exactly one group lost its numbers');
      assert.equal(m.collector().errors.offset_fetch, errorsBefore + 1);
      assert.equal(
        reading(h.board, 'pipewatch_collector_errors_total', { operation: 'offset_fetch' }),
        errorsBefore + 1,
      );
      const lags = h.board.readings({
        name: 'pipewatch_consumer_group_lag_messages',
        labels: { pipeline: 'p-fail' },
      });
      assert.equal(lags.length, 1, 'the other group keeps its lag');
      assert.ok(
        reading(h.board, 'pipewatch_topic_idle_seconds', { topic, partition: '0' }) !== undefined,
      );
    }
    h.clock.nowMs = T0 + 20_000;
    await m.tick();
    assert.ok(
      m
        .groups(h.clock.nowMs)
        .filter((g) => g.pipeline === 'p-fail')
        .every((g) => g.polled),
    );
  });
});
