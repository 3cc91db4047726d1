import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { parseConfig } from '../../config/index.js';
import {
  avroCodec,
  startEmbeddedPipeline,
  loadPipelineSchema,
  startFeatureConsumer,
  startProducer,
  unregisteredSchemaId,
  type PipelineTopics,
} from '../../pipeline/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { createPipelineTopics, errorType, header, readTopic } from './support.js';
import { waitFor } from '../support/wait.js';

/** The pipeline in the Confluent wire format through the embedded schema registry. */
describe('pipeline with Avro through the embedded schema registry', () => {
  let cluster: TestKafkaCluster;
  let kafka: Kafka;
  let dir: string;
  let db: SqliteDatabase;
  let registry: RunningRegistryServer;
  before(async () => {
    cluster = await startTestKafka();
    kafka = cluster.client();
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-avro-'));
    db = openDatabase(join(dir, 'registry.sqlite'));
    registry = await startRegistryServer({
      db,
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
  });
  after(async () => {
    await registry.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  });

  const codec = (topics: PipelineTopics) =>
    avroCodec({ registryUrl: registry.url, rawTopic: topics.raw, featuresTopic: topics.features });

  it('writes wire-format Avro, and every fault lands in the DLQ with the right type', async () => {
    const topics = await createPipelineTopics(cluster);
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: codec(topics),
      ratePerSecond: 0,
      maxRecords: 600,
      batchSize: 100,
      faults: {
        malformedRatio: 0.1,
        negativeAmountRatio: 0.1,
        unregisteredSchemaIdRatio: 0.1,
        incompatibleSchemaRatio: 0.1,
      },
    });
    await producer.done;
    await producer.stop();
    const stats = producer.stats();

    const client = new SchemaRegistry({ host: registry.url, retry: { retries: 0 } });
    const rawId = await client.getLatestSchemaId(`${topics.raw}-value`);
    const raw = await readTopic(kafka, topics.raw, stats.sent);
    const ids = raw.map((m) => (m.value?.[0] === 0 ? m.value.readUInt32BE(1) : -1));
    assert.equal(
      ids.filter((id) => id === rawId).length,
      stats.byFault.none + stats.byFault.negative_amount,
    );
    assert.equal(
      ids.filter((id) => id === unregisteredSchemaId).length,
      stats.byFault.unregistered_schema_id,
    );

    const consumer = await startFeatureConsumer({
      brokers: cluster.brokers,
      topics,
      groupId: uniqueName('features'),
      codec: codec(topics),
    });
    await waitFor(() => consumer.stats().recordsAcknowledged >= stats.sent, {
      what: 'consumer to read everything',
    });
    const consumed = consumer.stats();
    await consumer.stop();
    const dlqTotal = stats.sent - stats.byFault.none;
    assert.equal(consumed.features, stats.byFault.none);
    assert.deepEqual(consumed.dlq, {
      SCHEMA_VIOLATION:
        stats.byFault.malformed +
        stats.byFault.unregistered_schema_id +
        stats.byFault.incompatible_schema,
      SEMANTIC_ERROR: stats.byFault.negative_amount,
      COMPUTE_ERROR: 0,
    });
    const dlq = await readTopic(kafka, topics.dlq, dlqTotal);
    const messages = dlq.map((m) => `${errorType(m)} ${header(m, 'pipewatch.error.message')}`);
    const count = (re: RegExp) => messages.filter((m) => re.test(m)).length;
    assert.equal(
      count(/^SCHEMA_VIOLATION value is not in the Confluent wire format/),
      stats.byFault.malformed,
    );
    assert.equal(
      count(new RegExp(`^SCHEMA_VIOLATION schema id ${unregisteredSchemaId} is not registered`)),
      stats.byFault.unregistered_schema_id,
    );
    assert.equal(
      count(/^SCHEMA_VIOLATION required field amount_usd is missing/),
      stats.byFault.incompatible_schema,
    );
    assert.equal(count(/^SEMANTIC_ERROR amount_usd is -/), stats.byFault.negative_amount);

    // Feature records decode with the registered features schema.
    const features = await readTopic(kafka, topics.features, consumed.features);
    const decoded = (await client.decode(features[0]!.value!)) as Record<string, unknown>;
    assert.equal(typeof decoded.amount_log1p, 'number');
    assert.equal(typeof decoded.account_txn_count_1h, 'number');
  });

  it('the incompatible schema is one the registry refuses under the raw subject', async () => {
    const topics = await createPipelineTopics(cluster);
    const c = codec(topics);
    await c.prepare(['transaction']);
    const client = new SchemaRegistry({ host: registry.url, retry: { retries: 0 } });
    await assert.rejects(
      client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(loadPipelineSchema('transaction-v2')) },
        { subject: `${topics.raw}-value` },
      ),
      (error: Error) =>
        /incompatible|409/i.test(error.message) || (error as { status?: number }).status === 409,
    );
  });

  it('runs as the embedded default: producer and consumer from config, one metrics registry', async () => {
    const topics = await createPipelineTopics(cluster);
    const config = parseConfig(
      {
        topics: { raw: topics.raw, features: topics.features, dlq: topics.dlq },
        pipeline: {
          producer: { ratePerSecond: 400, faults: { malformedRatio: 0.1 } },
          consumer: { groupId: uniqueName('embedded') },
        },
      },
      {},
    );
    const pipeline = await startEmbeddedPipeline({
      kafka,
      brokers: cluster.brokers,
      config,
      registryUrl: registry.url,
    });
    try {
      await waitFor(
        () => {
          const s = pipeline.consumer.stats();
          return s.features > 50 && s.dlq.SCHEMA_VIOLATION > 0;
        },
        { what: 'features and DLQ records' },
      );
      pipeline.producer.setFaults({ paused: true });
      const text = await pipeline.metrics.registry.metrics();
      assert.match(
        text,
        /pipewatch_pipeline_records_out_total\{role="producer",topic="[^"]+"\} \d+/,
      );
      assert.match(text, /pipewatch_pipeline_records_in_total\{role="microbatch_consumer"\} \d+/);
      assert.match(
        text,
        /pipewatch_pipeline_dlq_records_total\{error_type="SCHEMA_VIOLATION"\} \d+/,
      );
    } finally {
      await pipeline.stop();
    }
  });
});
