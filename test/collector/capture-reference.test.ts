import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startRegistryServer } from '../../api/index.js';
import { captureReferenceValues, createWireChecks } from '../../collector/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { openDatabase } from '../../store/index.js';
import { PipewatchError } from '../../common/index.js';
import { startTestKafka, type TestKafkaCluster } from '../support/kafka.js';

function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'info' },
    {
      write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }),
    },
  );
  return { logger, lines };
}

describe('capturing a reference from a live topic', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka();
  });
  after(async () => {
    await cluster.stop();
  });

  it('returns the field values of the records inside the time range only', async () => {
    const topic = await cluster.createTopic('capture', 3);
    const baseMs = Date.now() - 60_000;
    const producer = cluster.client().producer();
    await producer.connect();
    const record = (amount: unknown, atMs: number, key: string) => ({
      key,
      value: JSON.stringify({
        amount,
        nested: { score: typeof amount === 'number' ? amount * 2 : null },
      }),
      timestamp: String(atMs),
    });
    const before = Array.from({ length: 20 }, (_, i) =>
      record(1000 + i, baseMs - 10_000 + i, `k${i}`),
    );
    const inside = Array.from({ length: 50 }, (_, i) => record(i / 10, baseMs + i * 10, `k${i}`));
    const afterRange = Array.from({ length: 20 }, (_, i) =>
      record(-1 - i, baseMs + 20_000 + i, `k${i}`),
    );
    const odd = [
      { key: 'x', value: 'not json', timestamp: String(baseMs + 5) },
      { key: 'y', value: JSON.stringify({ other: 1 }), timestamp: String(baseMs + 6) },
      { key: 'z', value: JSON.stringify({ amount: { deep: 1 } }), timestamp: String(baseMs + 7) },
    ];
    await producer.send({
      topic,
      acks: -1,
      messages: [...before, ...inside, ...odd, ...afterRange],
    });
    await producer.disconnect();

    const { logger, lines } = capturingLogger();
    const result = await captureReferenceValues({
      kafka: cluster.client(),
      logger,
      topic,
      feature: 'amount',
      fromMs: baseMs,
      toMs: baseMs + 10_000,
    });
    const numbers = result.values
      .filter((v): v is number => typeof v === 'number')
      .sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 50 }, (_, i) => i / 10),
    );
    assert.equal(
      result.values.filter((v) => v === null).length,
      1,
      'the record without the field is a null',
    );
    assert.equal(result.undecodable, 1);
    assert.equal(result.invalid, 1);
    assert.equal(result.recordsInRange, 53);
    if (cluster.isMock) {
      assert.equal(result.method, 'scan-from-log-start');
      assert.equal(result.recordsRead, 93);
      assert.ok(
        lines.some((l) => l.level === 40 && /does not honour ListOffsets by timestamp/.test(l.msg)),
      );
    } else {
      // A real cluster honours ListOffsets by timestamp: no branch of this test passes silently.
      assert.equal(result.method, 'offsets-by-timestamp');
    }

    const nested = await captureReferenceValues({
      kafka: cluster.client(),
      logger,
      topic,
      feature: 'nested.score',
      fromMs: baseMs,
      toMs: baseMs + 10_000,
    });
    assert.deepEqual(
      nested.values.filter((v): v is number => typeof v === 'number').sort((a, b) => a - b),
      numbers.map((x) => x * 2),
    );
  });

  it('returns nothing for an empty topic and rejects an empty range', async () => {
    const topic = await cluster.createTopic('capture-empty', 2);
    const { logger } = capturingLogger();
    const result = await captureReferenceValues({
      kafka: cluster.client(),
      logger,
      topic,
      feature: 'a',
      fromMs: 0,
      toMs: 10,
    });
    assert.deepEqual(result.values, []);
    await assert.rejects(
      captureReferenceValues({
        kafka: cluster.client(),
        logger,
        topic,
        feature: 'a',
        fromMs: 10,
        toMs: 10,
      }),
      (e: unknown) => e instanceof PipewatchError && e.code === 'BAD_REQUEST',
    );
  });

  it('captures from a Confluent Avro topic through the wire decoder', async () => {
    const registryServer = await startRegistryServer({
      db: openDatabase(join(mkdtempSync(join(tmpdir(), 'pipewatch-capture-')), 'r.sqlite')),
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      const topic = await cluster.createTopic('capture-avro', 2);
      const client = new SchemaRegistry({ host: registryServer.url });
      const schema = {
        type: 'record',
        name: 'Txn',
        fields: [
          { name: 'amount_usd', type: 'double' },
          { name: 'channel', type: 'string' },
        ],
      };
      const { id } = await client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject: `${topic}-value` },
      );
      const atMs = Date.now() - 1000;
      const amounts = Array.from({ length: 40 }, (_, i) => i * 2.5);
      const producer = cluster.client().producer();
      await producer.connect();
      await producer.send({
        topic,
        acks: -1,
        messages: [
          ...(await Promise.all(
            amounts.map(async (amount, i) => ({
              key: `k${i}`,
              value: await client.encode(id, { amount_usd: amount, channel: 'ecommerce' }),
              timestamp: String(atMs),
            })),
          )),
          { key: 'bad', value: Buffer.from([0, 0, 0, 0, 99, 1]), timestamp: String(atMs) },
        ],
      });
      await producer.disconnect();

      const { decode } = createWireChecks({
        registryUrl: registryServer.url,
        metricsRegistry: new Registry(),
      });
      const result = await captureReferenceValues({
        kafka: cluster.client(),
        logger: pino({ level: 'silent' }),
        topic,
        feature: 'amount_usd',
        fromMs: atMs - 1,
        toMs: atMs + 1,
        decode,
      });
      assert.deepEqual(
        [...result.values].sort((a, b) => Number(a) - Number(b)),
        amounts,
        'every Avro value of the range, decoded',
      );
      assert.equal(result.undecodable, 1, 'the record with an unknown schema id is counted');
    } finally {
      await registryServer.close();
    }
  });
});
