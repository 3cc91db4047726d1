import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import {
  jsonCodec,
  startFeatureConsumer,
  startProducer,
  unregisteredSchemaId,
  type PipelineTopics,
  type ProducerStats,
} from '../../pipeline/index.js';
import { createPipelineTopics, errorType, header, readTopic } from './support.js';
import { waitFor } from '../support/wait.js';

/**
 * Every fault knob, observed on the topics: the producer reports how many records carried each
 * fault, and the DLQ (by error type and message) and the raw topic must show exactly those.
 */
describe('producer fault knobs, seen on the topics', () => {
  let cluster: TestKafkaCluster;
  let kafka: Kafka;
  before(async () => {
    cluster = await startTestKafka();
    kafka = cluster.client();
  });
  after(async () => {
    await cluster.stop();
  });

  async function produce(topics: PipelineTopics, faults: unknown, records: number, seed = 1) {
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 0,
      maxRecords: records,
      batchSize: 100,
      seed,
      faults,
    });
    await producer.done;
    await producer.stop();
    return producer.stats();
  }

  async function consumeAll(topics: PipelineTopics, stats: ProducerStats) {
    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
    });
    await waitFor(() => consumer.stats().recordsAcknowledged >= stats.sent, {
      what: 'consumer to read everything',
    });
    const consumed = consumer.stats();
    await consumer.stop();
    const dlqCount =
      consumed.dlq.SCHEMA_VIOLATION + consumed.dlq.SEMANTIC_ERROR + consumed.dlq.COMPUTE_ERROR;
    const [features, dlq] = await Promise.all([
      readTopic(kafka, topics.features, consumed.features),
      readTopic(kafka, topics.dlq, dlqCount),
    ]);
    return { features, dlq };
  }

  const byType = (dlq: KafkaMessage[], type: string) => dlq.filter((m) => errorType(m) === type);
  const messages = (dlq: KafkaMessage[]) =>
    dlq.map((m) => header(m, 'pipewatch.error.message') ?? '');

  it('malformed bytes: raw values that are not JSON become SCHEMA_VIOLATION with the original bytes', async () => {
    const topics = await createPipelineTopics(cluster);
    const stats = await produce(topics, { malformedRatio: 0.3 }, 400);
    assert.ok(stats.byFault.malformed > 60 && stats.byFault.malformed < 180);
    const { features, dlq } = await consumeAll(topics, stats);
    assert.equal(dlq.length, stats.byFault.malformed);
    assert.equal(byType(dlq, 'SCHEMA_VIOLATION').length, stats.byFault.malformed);
    assert.ok(messages(dlq).every((m) => m.startsWith('value is not valid JSON')));
    assert.ok(
      dlq.every((m) => m.value?.[0] === 0xff),
      'the DLQ keeps the original value',
    );
    assert.equal(features.length, stats.byFault.none);
  });

  it('semantic errors: negative amounts and future timestamps become SEMANTIC_ERROR', async () => {
    const topics = await createPipelineTopics(cluster);
    const stats = await produce(
      topics,
      { negativeAmountRatio: 0.2, futureTimestampRatio: 0.2, futureTimestampOffsetMs: 600_000 },
      400,
    );
    const { features, dlq } = await consumeAll(topics, stats);
    const semantic = messages(byType(dlq, 'SEMANTIC_ERROR'));
    assert.equal(dlq.length, semantic.length);
    assert.equal(
      semantic.filter((m) => m.startsWith('amount_usd is -')).length,
      stats.byFault.negative_amount,
    );
    assert.equal(
      semantic.filter((m) => /in the future/.test(m)).length,
      stats.byFault.future_timestamp,
    );
    assert.ok(stats.byFault.negative_amount > 0 && stats.byFault.future_timestamp > 0);
    assert.equal(features.length, stats.byFault.none);
  });

  it('unregistered schema id: a wire-format header the JSON topic cannot decode', async () => {
    const topics = await createPipelineTopics(cluster);
    const stats = await produce(topics, { unregisteredSchemaIdRatio: 0.25 }, 300);
    const raw = await readTopic(kafka, topics.raw, stats.sent);
    const headed = raw.filter(
      (m) => m.value?.[0] === 0 && m.value.readUInt32BE(1) === unregisteredSchemaId,
    );
    assert.equal(headed.length, stats.byFault.unregistered_schema_id);
    const { dlq } = await consumeAll(topics, stats);
    assert.equal(byType(dlq, 'SCHEMA_VIOLATION').length, stats.byFault.unregistered_schema_id);
    assert.ok(messages(dlq).every((m) => m.includes(`schema id ${unregisteredSchemaId}`)));
  });

  it('incompatible schema: records in the v2 shape (amount_cents) are SCHEMA_VIOLATION', async () => {
    const topics = await createPipelineTopics(cluster);
    const stats = await produce(topics, { incompatibleSchemaRatio: 0.25 }, 300);
    const { dlq } = await consumeAll(topics, stats);
    assert.equal(dlq.length, stats.byFault.incompatible_schema);
    assert.ok(messages(dlq).every((m) => m === 'required field amount_usd is missing'));
    const v2 = JSON.parse(String(dlq[0]?.value)) as Record<string, unknown>;
    assert.equal(typeof v2.amount_cents, 'number');
  });

  it('distribution shift: amounts, balances, category mix and null rate change on the raw topic', async () => {
    const plain = await createPipelineTopics(cluster);
    const shifted = await createPipelineTopics(cluster);
    await produce(plain, {}, 300, 9);
    await produce(
      shifted,
      {
        amountShift: { addUsd: 100, scale: 1 },
        balanceShift: { addUsd: 0, scale: 3 },
        channelWeights: { contactless: 1 },
        merchantCategoryWeights: { '6051': 1, '5411': 1 },
        deviceFingerprintNullRate: 1,
      },
      300,
      9,
    );
    const decode = (ms: KafkaMessage[]) =>
      new Map(
        ms.map((m) => {
          const t = JSON.parse(String(m.value)) as Record<string, unknown>;
          return [String(t.transaction_id).split('-')[1], t];
        }),
      );
    const a = decode(await readTopic(kafka, plain.raw, 300));
    const b = decode(await readTopic(kafka, shifted.raw, 300));
    assert.equal(b.size, 300);
    for (const [seq, tb] of b) {
      const ta = a.get(seq)!;
      // Same seed, same draws: the shift is exact per record up to cent rounding.
      assert.ok(Math.abs(Number(tb.amount_usd) - Number(ta.amount_usd) - 100) <= 0.011);
      assert.ok(Math.abs(Number(tb.balance_usd) - 3 * Number(ta.balance_usd)) <= 0.021);
      assert.equal(tb.channel, 'contactless');
      assert.ok(['6051', '5411'].includes(String(tb.merchant_category_code)));
      assert.equal(tb.device_fingerprint, null);
    }
  });

  it('pause and run-time changes through PUT /faults take effect on the next sends', async () => {
    const topics = await createPipelineTopics(cluster, 1);
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 500,
      batchSize: 50,
      http: { host: '127.0.0.1', port: 0 },
    });
    try {
      await waitFor(() => producer.stats().sent >= 50, { what: 'some records' });
      const put = (body: unknown) =>
        fetch(`${producer.httpUrl}/faults`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const paused = await put({ paused: true });
      assert.equal(paused.status, 200);
      assert.equal(((await paused.json()) as { paused: boolean }).paused, true);
      await new Promise((r) => setTimeout(r, 300));
      const sentWhilePaused = producer.stats().sent;
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(producer.stats().sent, sentWhilePaused, 'nothing sent while paused');

      const bad = await put({ malformedRatio: 2 });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(await bad.json()), /malformedRatio/);

      await put({ paused: false, negativeAmountRatio: 1 });
      await waitFor(() => producer.stats().byFault.negative_amount >= 50, {
        what: 'faulty records',
      });
      const knobs = (await (await fetch(`${producer.httpUrl}/faults`)).json()) as Record<
        string,
        unknown
      >;
      assert.equal(knobs.negativeAmountRatio, 1);
      const metrics = await (await fetch(`${producer.httpUrl}/metrics`)).text();
      assert.match(
        metrics,
        /pipewatch_pipeline_faults_injected_total\{fault="negative_amount"\} \d+/,
      );
      assert.match(
        metrics,
        /pipewatch_pipeline_records_out_total\{role="producer",topic="[^"]+"\} \d+/,
      );
    } finally {
      await producer.stop();
    }
    const stats = producer.stats();
    const raw = await readTopic(kafka, topics.raw, stats.sent);
    const negatives = raw.filter(
      (m) => (JSON.parse(String(m.value)) as { amount_usd: number }).amount_usd < 0,
    );
    assert.equal(negatives.length, stats.byFault.negative_amount);
    // Order on one partition: once the knob was set, every later record is negative.
    const firstNegative = raw.findIndex(
      (m) => (JSON.parse(String(m.value)) as { amount_usd: number }).amount_usd < 0,
    );
    assert.equal(raw.length - firstNegative, negatives.length);
  });

  it('the consumer serves records in/out, DLQ by error type and batch durations on /metrics', async () => {
    const topics = await createPipelineTopics(cluster);
    const stats = await produce(topics, { malformedRatio: 0.2, negativeAmountRatio: 0.2 }, 200);
    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: jsonCodec(),
      http: { host: '127.0.0.1', port: 0 },
    });
    try {
      await waitFor(() => consumer.stats().recordsAcknowledged >= stats.sent, {
        what: 'consumer to read everything',
      });
      const text = await (await fetch(`${consumer.httpUrl}/metrics`)).text();
      const value = (pattern: string) =>
        Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1]);
      assert.equal(
        value('pipewatch_pipeline_records_in_total\\{role="microbatch_consumer"\\}'),
        200,
      );
      assert.equal(
        value('pipewatch_pipeline_dlq_records_total\\{error_type="SCHEMA_VIOLATION"\\}'),
        stats.byFault.malformed,
      );
      assert.equal(
        value('pipewatch_pipeline_dlq_records_total\\{error_type="SEMANTIC_ERROR"\\}'),
        stats.byFault.negative_amount,
      );
      assert.equal(
        value(
          `pipewatch_pipeline_records_out_total\\{role="microbatch_consumer",topic="${topics.features}"\\}`,
        ),
        stats.byFault.none,
      );
      assert.ok(
        value('pipewatch_pipeline_batch_duration_seconds_count\\{role="microbatch_consumer"\\}') >=
          1,
      );
    } finally {
      await consumer.stop();
    }
  });
});
