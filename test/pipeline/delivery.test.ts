import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Consumer, Kafka } from 'kafkajs';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import {
  jsonCodec,
  startFeatureConsumer,
  startProducer,
  type PipelineTopics,
} from '../../pipeline/index.js';
import { createPipelineTopics } from './support.js';
import { waitFor } from '../support/wait.js';

const records = 3000;
const faults = { negativeAmountRatio: 0.05, futureTimestampRatio: 0.05 };

/**
 * Collects transaction ids from the feature and DLQ topics (read_committed), counting how many
 * times each id appears on either topic.
 */
async function collectIds(kafka: Kafka, topics: PipelineTopics) {
  const seen = new Map<string, { features: number; dlq: number }>();
  const consumer: Consumer = kafka.consumer({
    groupId: uniqueName('verify'),
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topics.features, topics.dlq], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const id = String(
        (JSON.parse(String(message.value)) as { transaction_id: string }).transaction_id,
      );
      const entry = seen.get(id) ?? { features: 0, dlq: 0 };
      if (topic === topics.features) entry.features++;
      else entry.dlq++;
      seen.set(id, entry);
    },
  });
  return { seen, stop: () => consumer.disconnect() };
}

function expectedIds(prefix: string) {
  return Array.from({ length: records }, (_, i) => `${prefix}-${i}`);
}

async function produceAll(kafka: Kafka, topic: string, prefix: string) {
  const producer = await startProducer({
    kafka,
    topic,
    codec: jsonCodec(),
    ratePerSecond: 0,
    maxRecords: records,
    batchSize: 100,
    idPrefix: prefix,
    faults,
  });
  await producer.done;
  await producer.stop();
}

/** Runs the consumer in a child process, waits for its first acknowledged batch, SIGKILLs it. */
async function crashConsumerMidBatch(
  cluster: TestKafkaCluster,
  topics: PipelineTopics,
  groupId: string,
  transactional: boolean,
): Promise<{ count: number; ids: Set<string> }> {
  const fixture = fileURLToPath(new URL('./fixtures/crash-consumer.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fixture,
      JSON.stringify({ brokers: cluster.brokers, topics, groupId, transactional }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const acked = await new Promise<{ count: number; ids: Set<string> }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('child never acknowledged a batch')), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /acked (\d+) (\[.*\])\n/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ count: Number(match[1]), ids: new Set(JSON.parse(match[2]!) as string[]) });
      }
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  return acked;
}

describe('delivery guarantees of the feature consumer', () => {
  let cluster: TestKafkaCluster;
  let kafka: Kafka;
  before(async () => {
    cluster = await startTestKafka();
    kafka = cluster.client();
  });
  after(async () => {
    await cluster.stop();
  });

  for (const transactional of [false, true]) {
    const name = transactional ? 'exactly-once (transactions)' : 'at-least-once';
    it(`${name}: every record ends up as a feature or DLQ record after a SIGKILL mid-batch and a restart`, async (t) => {
      const topics = await createPipelineTopics(cluster);
      const groupId = uniqueName('features');
      const prefix = uniqueName('tx');
      await produceAll(kafka, topics.raw, prefix);
      const open = await crashConsumerMidBatch(cluster, topics, groupId, transactional);
      assert.ok(open.count > 0);
      assert.equal(open.ids.size, open.count, 'one output per record of the open batch');

      const restarted = await startFeatureConsumer({
        brokers: cluster.brokers,
        topics,
        groupId,
        codec: jsonCodec(),
        transactional,
        sessionTimeoutMs: 6000,
      });
      const collected = await collectIds(kafka, topics);
      try {
        await waitFor(() => collected.seen.size >= records, {
          what: 'every id on the output topics',
          timeoutMs: 90_000,
        });
        // The child committed nothing (its first batch hangs before the commit), so the restarted
        // consumer must go through every record again, whatever the child wrote before the kill.
        await waitFor(() => restarted.stats().recordsAcknowledged >= records, {
          what: 'the restarted consumer to redo every uncommitted record',
          timeoutMs: 90_000,
        });
        if (!transactional) {
          // The restarted consumer's copies of the open batch may still be on their way to the
          // reader (a loaded machine): wait for them, or let the assertion below say which are
          // missing.
          const copies = (id: string) =>
            (collected.seen.get(id)?.features ?? 0) + (collected.seen.get(id)?.dlq ?? 0);
          await waitFor(() => [...open.ids].every((id) => copies(id) >= 2), {
            what: 'the redone copies of the uncommitted batch on the output topics',
            timeoutMs: 30_000,
          }).catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 1500)); // late duplicates would show up here
      } finally {
        await collected.stop();
        await restarted.stop();
      }
      const ids = expectedIds(prefix);
      assert.deepEqual([...collected.seen.keys()].sort(), [...ids].sort(), 'every id, no stranger');
      const both = [...collected.seen.values()].filter((e) => e.features > 0 && e.dlq > 0);
      assert.equal(both.length, 0, 'no record is both a feature and a DLQ record');
      const duplicated = [...collected.seen.values()].filter((e) => e.features + e.dlq > 1).length;
      if (transactional) {
        // Exactly-once proper is only observable on a real cluster: librdkafka 2.0's mock
        // cluster does not implement read_committed, so a reader there sees the records of a
        // transaction that never committed. Each check is its own subtest, so the run reports
        // the one that could not run, and why.
        await t.test(
          'read_committed: each id exactly once',
          {
            skip: cluster.isMock
              ? 'needs a real Kafka cluster (set PIPEWATCH_TEST_BROKERS): the mock cluster has no read_committed'
              : false,
          },
          () => assert.equal(duplicated, 0, 'read_committed: each id exactly once'),
        );
        // On the mock the only ids allowed twice are those of the one transaction open at the
        // kill (aborted on restart); every other id must appear exactly once.
        await t.test(
          'mock cluster: ids repeat only inside the aborted transaction, at most twice',
          { skip: cluster.isMock ? false : 'the real cluster runs the strict check instead' },
          () => {
            const twice = [...collected.seen].filter(([, e]) => e.features + e.dlq > 1);
            const outside = twice.filter(([id]) => !open.ids.has(id)).map(([id]) => id);
            assert.deepEqual(outside, [], 'duplicated outside the aborted transaction');
            assert.ok(
              twice.every(([, e]) => e.features + e.dlq === 2),
              'at most one extra copy',
            );
          },
        );
      } else {
        // The batch acknowledged before the kill was never committed, so it is redone.
        const notRepeated = [...open.ids].filter((id) => {
          const e = collected.seen.get(id);
          return !e || e.features + e.dlq < 2;
        });
        assert.deepEqual(notRepeated, [], `the acknowledged, uncommitted batch repeats`);
        assert.ok(duplicated >= open.count);
      }
    });
  }

  it('at-least-once: nothing is lost while a broker is down and after it comes back', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const topics = await createPipelineTopics(cluster);
    const prefix = uniqueName('tx');
    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
    });
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 1500,
      maxRecords: records,
      batchSize: 50,
      idPrefix: prefix,
      faults,
    });
    const collected = await collectIds(kafka, topics);
    try {
      await waitFor(() => consumer.stats().recordsIn > 300, { what: 'traffic flowing' });
      cluster.faults.setBrokerDown(1);
      await new Promise((r) => setTimeout(r, 2000));
      cluster.faults.setBrokerUp(1);
      await producer.done;
      await waitFor(() => collected.seen.size >= records, {
        what: 'every id on the output topics',
        timeoutMs: 90_000,
      });
    } finally {
      await collected.stop();
      await producer.stop();
      await consumer.stop();
    }
    assert.deepEqual([...collected.seen.keys()].sort(), expectedIds(prefix).sort());
  });

  it('at-least-once: a write that is never acknowledged is redone from the committed offsets', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const faultsOf = cluster.faults;
    const topics = await createPipelineTopics(cluster);
    const prefix = uniqueName('tx');
    await produceAll(kafka, topics.raw, prefix);
    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
      maxBatchRecords: 20,
      maxInFlightBatches: 1,
      deliveryTimeoutMs: 1500,
      sessionTimeoutMs: 6000,
    });
    const collected = await collectIds(kafka, topics);
    try {
      await waitFor(() => consumer.stats().recordsAcknowledged > 0, { what: 'traffic flowing' });
      // Every broker down past the delivery timeout: the in-flight write fails for good.
      faultsOf.setBrokerDown(-1);
      await waitFor(() => consumer.stats().restarts > 0, {
        what: 'the consumer to give up on the write',
        timeoutMs: 30_000,
      });
      for (const id of faultsOf.brokerIds) faultsOf.setBrokerUp(id);
      await waitFor(() => collected.seen.size >= records, {
        what: 'every id on the output topics',
        timeoutMs: 90_000,
      });
    } finally {
      for (const id of faultsOf.brokerIds) faultsOf.setBrokerUp(id);
      await collected.stop();
      await consumer.stop();
    }
    assert.deepEqual([...collected.seen.keys()].sort(), expectedIds(prefix).sort());
    const both = [...collected.seen.values()].filter((e) => e.features > 0 && e.dlq > 0);
    assert.equal(both.length, 0, 'no record is both a feature and a DLQ record');
  });

  it('at-least-once: nothing is lost when a second consumer joins and the first leaves (rebalances)', async () => {
    const topics = await createPipelineTopics(cluster, 4);
    const prefix = uniqueName('tx');
    const groupId = uniqueName('features');
    const start = () =>
      startFeatureConsumer({
        brokers: cluster.brokers,
        topics,
        groupId,
        codec: jsonCodec(),
        sessionTimeoutMs: 6000,
      });
    const first = await start();
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 1000,
      maxRecords: records,
      batchSize: 50,
      idPrefix: prefix,
      faults,
    });
    const collected = await collectIds(kafka, topics);
    let second: Awaited<ReturnType<typeof start>> | undefined;
    try {
      await waitFor(() => first.stats().recordsIn > 300, { what: 'traffic flowing' });
      second = await start();
      await waitFor(() => (second?.stats().recordsIn ?? 0) > 100, {
        what: 'the joiner gets partitions',
        timeoutMs: 60_000,
      });
      await first.stop();
      await producer.done;
      await waitFor(() => collected.seen.size >= records, {
        what: 'every id on the output topics',
        timeoutMs: 90_000,
      });
    } finally {
      await collected.stop();
      await producer.stop();
      await second?.stop();
    }
    assert.deepEqual([...collected.seen.keys()].sort(), expectedIds(prefix).sort());
  });
});
