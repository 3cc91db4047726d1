import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import {
  createKafkaClient,
  hasMockControllerFallback,
  startMockCluster,
  type MockCluster,
} from '../../kafka/index.js';

// The mock cluster answers metadata with controller id 0, which is none of its brokers; stock
// kafkajs then cannot route InitProducerId, so an idempotent producer fails. These tests use that
// to tell a patched client from a stock one by behaviour, not by inspecting the patch.
describe('controller-id fallback: only on clients built for the mock cluster', () => {
  let mock: MockCluster;
  before(() => {
    mock = startMockCluster(3);
    mock.createTopic('fallback', 1);
  });
  after(() => mock.destroy());

  it('leaves the kafkajs Cluster prototype alone', () => {
    const require = createRequire(import.meta.url);
    const Cluster = require('kafkajs/src/cluster/index.js') as {
      prototype: Record<string | symbol, unknown>;
    };
    assert.equal(Cluster.prototype[Symbol.for('pipewatch.controllerFallback')], undefined);
    const source = String(Cluster.prototype.findControllerBroker);
    assert.doesNotMatch(
      source,
      /brokers\[0\]|nodeId: first/,
      'the prototype method is kafkajs own',
    );
  });

  it('a client for a non-embedded broker list is stock kafkajs (idempotent producer fails on the mock)', async () => {
    const external = createKafkaClient({ brokers: ['kafka.example:9092'], clientId: 'external' });
    assert.equal(hasMockControllerFallback(external), false);

    const stock = createKafkaClient({
      brokers: mock.brokers,
      clientId: 'stock',
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
    });
    assert.equal(hasMockControllerFallback(stock), false);
    const producer = stock.producer({ idempotent: true });
    try {
      await assert.rejects(async () => {
        await producer.connect();
        await producer.send({ topic: 'fallback', acks: -1, messages: [{ value: 'x' }] });
      }, /Broker 0 not found/);
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  });

  it('a client built for the embedded cluster gets it: idempotent produce and an admin round trip work', async () => {
    const embedded = createKafkaClient({
      brokers: mock.brokers,
      clientId: 'embedded',
      embeddedMockCluster: true,
    });
    assert.equal(hasMockControllerFallback(embedded), true);
    const producer = embedded.producer({ idempotent: true });
    await producer.connect();
    const [result] = await producer.send({
      topic: 'fallback',
      acks: -1,
      messages: [{ value: 'a' }, { value: 'b' }],
    });
    await producer.disconnect();
    assert.equal(result?.errorCode, 0);
    const admin = embedded.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets('fallback');
    await admin.disconnect();
    assert.equal(offsets[0]?.high, '2');
  });
});
