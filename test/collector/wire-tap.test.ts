import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { pipewatchApp, startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import {
  createWireChecks,
  decodeJsonRecord,
  startTap,
  type DecodedRecord,
  type Tap,
} from '../../collector/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { waitFor } from '../support/wait.js';

const logger = pino({ level: 'silent' });
const record = (name: string, fields: object[]) => ({ type: 'record', name, fields });
// v1 of the topic's subject, then (under NONE) an incompatible v2, then the level goes BACKWARD.
const txnV1 = record('Txn', [
  { name: 'id', type: 'string' },
  { name: 'amountCents', type: 'long' },
]);
const txnV2 = record('Txn', [
  { name: 'id', type: 'string' },
  { name: 'amountUsd', type: 'double' },
]);
// Reads v2 data (the added field has a default): a subject at BACKWARD would accept it.
const txnWithNote = record('Txn', [
  { name: 'id', type: 'string' },
  { name: 'amountUsd', type: 'double' },
  { name: 'note', type: 'string', default: '' },
]);
// Cannot read v2 data (`name` has no default): a subject at BACKWARD would refuse it.
const user = record('User', [{ name: 'name', type: 'string' }]);
const avro = (schema: object) => ({
  type: SchemaType.AVRO as const,
  schema: JSON.stringify(schema),
});

/** The value of one sample line of the exposition text, labels in any order; 0 when absent. */
function sampleValue(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const same = found.size === Object.keys(labels).length;
    if (same && Object.entries(labels).every(([k, v]) => found.get(k) === v)) {
      return Number(match[3]);
    }
  }
  return 0;
}

async function putLevel(url: string, subject: string, compatibility: string) {
  const response = await fetch(`${url}/config/${subject}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ compatibility }),
  });
  assert.equal(response.status, 200);
}

async function registerRaw(url: string, subject: string, schema: object): Promise<number> {
  const response = await fetch(`${url}/subjects/${subject}/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ schema: JSON.stringify(schema) }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { id: number }).id;
}

describe('wire decoder on a tap', () => {
  let cluster: TestKafkaCluster;
  let dir: string;
  let db: SqliteDatabase;
  let server: RunningRegistryServer;

  const startRegistry = async (port: number) => {
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    server = await startRegistryServer({
      db,
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port,
      logger,
    });
  };
  const stopRegistry = async () => {
    await server.close();
    db.close();
  };

  before(async () => {
    cluster = await startTestKafka();
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-wire-'));
    await startRegistry(0);
  });
  after(async () => {
    await stopRegistry();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const tapWith = async (topics: string[], retryAfterMs: number) => {
    const metricsRegistry = new Registry();
    const seen: DecodedRecord[] = [];
    const { decode, recorder } = createWireChecks({
      registryUrl: server.url,
      metricsRegistry,
      topicFormats: { [topics[1] ?? '']: { format: 'json' } },
      registryTimeoutMs: 2000,
      registryRetryAfterMs: retryAfterMs,
    });
    const tap: Tap = await startTap({
      kafka: cluster.client(),
      groupId: uniqueName('wire'),
      topics,
      decode,
      sinks: [{ name: 'collect', onRecord: (r) => seen.push(r) }],
      onUndecodable: recorder.onUndecodable,
      metricsRegistry,
      logger,
      fromBeginning: true,
    });
    return { tap, recorder, seen, metricsRegistry };
  };

  it('counts every violation kind, keeps the offending offsets and passes valid records', async () => {
    const topic = await cluster.createTopic('wire-avro', 1);
    const jsonTopic = await cluster.createTopic('wire-json', 1);
    const subject = `${topic}-value`;
    const client = new SchemaRegistry({ host: server.url, retry: { retries: 0 } });
    await putLevel(server.url, subject, 'NONE');
    // Plain REST: the client library refuses to register under a subject whose level is not its own.
    const v1 = await registerRaw(server.url, subject, txnV1);
    const v2 = await registerRaw(server.url, subject, txnV2);
    await putLevel(server.url, subject, 'BACKWARD');
    const { id: noted } = await client.register(avro(txnWithNote), { subject: 'other-value' });
    const { id: userId } = await client.register(avro(user), { subject: 'users-value' });
    const valid = await client.encode(v2, { id: 't-1', amountUsd: 12.5 });

    const avroValues: [Buffer | string | null, string][] = [
      [valid, 'ok'], // offset 0
      [await client.encode(v2, { id: 't-2', amountUsd: 3 }), 'ok'],
      ['{"id":"t-3","amountUsd":1}', 'no_magic_byte'], // offset 2
      [Buffer.from([0, 0, 0]), 'no_magic_byte'],
      [Buffer.concat([Buffer.from([0, 0, 0, 0x27, 0x0f]), valid.subarray(5)]), 'unknown_schema_id'],
      [await client.encode(noted, { id: 't-6', amountUsd: 1, note: 'x' }), 'wrong_subject'],
      [valid.subarray(0, valid.length - 3), 'undecodable_payload'], // offset 6
      [Buffer.concat([valid, Buffer.from([1])]), 'undecodable_payload'],
      [await client.encode(v1, { id: 't-9', amountCents: 100 }), 'incompatible_schema'], // 8
      [await client.encode(userId, { name: 'ada' }), 'incompatible_schema'],
      [null, 'null_value'], // offset 10
      [await client.encode(v2, { id: 't-12', amountUsd: 4 }), 'ok'],
    ];
    const jsonValues = ['{"id":"j-1","amountUsd":2}', 'not json', '[1]'];
    const producer = cluster.client().producer();
    await producer.connect();
    await producer.send({ topic, messages: avroValues.map(([value]) => ({ value })) });
    await producer.send({ topic: jsonTopic, messages: jsonValues.map((value) => ({ value })) });
    await producer.disconnect();

    const { tap, recorder, seen, metricsRegistry } = await tapWith([topic, jsonTopic], 1000);
    try {
      await waitFor(
        () =>
          tap.processedCount(topic) === avroValues.length && tap.processedCount(jsonTopic) === 3,
        { what: 'every record' },
      );
    } finally {
      await tap.stop();
    }

    const text = await metricsRegistry.metrics();
    const expected: Record<string, number> = {
      no_magic_byte: 2,
      unknown_schema_id: 1,
      wrong_subject: 1,
      undecodable_payload: 2,
      incompatible_schema: 2,
      null_value: 1,
    };
    for (const [kind, count] of Object.entries(expected)) {
      assert.equal(
        sampleValue(text, 'pipewatch_schema_violations_total', { topic, kind }),
        count,
        kind,
      );
    }
    assert.equal(
      sampleValue(text, 'pipewatch_schema_violations_total', {
        topic: jsonTopic,
        kind: 'invalid_json',
      }),
      2,
    );
    assert.equal(sampleValue(text, 'pipewatch_schema_lookup_failures_total', { topic }), 0);

    assert.deepEqual(
      seen.filter((r) => r.topic === topic).map((r) => [r.offset, r.schemaId, r.payload.id]),
      [
        ['0', v2, 't-1'],
        ['1', v2, 't-2'],
        ['11', v2, 't-12'],
      ],
    );
    assert.deepEqual(seen.find((r) => r.topic === jsonTopic)?.payload, { id: 'j-1', amountUsd: 2 });

    const snapshot = recorder.snapshot({ topic });
    const offsetsOf = (kind: string) =>
      snapshot.violations.find((v) => v.kind === kind)?.samples.map((s) => s.offset);
    avroValues.forEach(([, kind], offset) => {
      if (kind !== 'ok') assert.ok(offsetsOf(kind)?.includes(String(offset)), `${kind} @${offset}`);
    });
    assert.deepEqual(offsetsOf('incompatible_schema'), ['8', '9']);
    const incompatible = snapshot.violations.find((v) => v.kind === 'incompatible_schema');
    assert.match(incompatible?.samples[0]?.message ?? '', /version 1 of .* latest version 2/);
    assert.match(incompatible?.samples[1]?.message ?? '', /users-value v1/);

    const app = Fastify();
    await app.register(pipewatchApp, { metricsRegistry, schemaViolations: recorder });
    const response = await app.inject({
      method: 'GET',
      url: `/api/v1/schema-violations?topic=${jsonTopic}`,
    });
    assert.equal(response.statusCode, 200);
    const body = response.json<{ violations: { kind: string; count: number }[] }>();
    assert.deepEqual(
      body.violations.map((v) => [v.kind, v.count]),
      [['invalid_json', 2]],
    );
    await app.close();
  });

  it('keeps consuming through a registry outage and decodes again once it is back', async () => {
    const topic = await cluster.createTopic('wire-outage', 1);
    const subject = `${topic}-value`;
    const client = new SchemaRegistry({ host: server.url, retry: { retries: 0 } });
    const { id: known } = await client.register(avro(txnV2), { subject });
    const { id: later } = await client.register(avro(txnWithNote), { subject });
    const knownValue = await client.encode(known, { id: 'k', amountUsd: 1 });
    const laterValue = await client.encode(later, { id: 'l', amountUsd: 2, note: 'n' });
    const producer = cluster.client().producer();
    await producer.connect();
    const produce = (values: Buffer[]) =>
      producer.send({ topic, messages: values.map((value) => ({ value })) });

    // retryAfterMs 0: every record asks, so the first record after the restart is decoded.
    const { tap, seen, metricsRegistry, recorder } = await tapWith([topic], 0);
    try {
      await produce([knownValue, knownValue]);
      await waitFor(() => seen.length === 2, { what: 'two records before the outage' });

      const port = Number(new URL(server.url).port);
      await stopRegistry();
      await produce([knownValue, laterValue, laterValue, laterValue, knownValue]);
      await waitFor(() => tap.processedCount(topic) === 7, { what: 'records during the outage' });
      // The cached schema keeps decoding; the one never seen cannot be checked.
      assert.equal(seen.length, 4);
      let text = await metricsRegistry.metrics();
      assert.equal(sampleValue(text, 'pipewatch_schema_lookup_failures_total', { topic }), 3);
      assert.doesNotMatch(text, /pipewatch_schema_violations_total\{/);
      const failures = recorder.snapshot({ topic }).lookupFailures[0];
      assert.deepEqual(
        failures?.samples.map((s) => s.offset),
        ['3', '4', '5'],
      );
      assert.match(failures?.samples[0]?.message ?? '', /unreachable/);

      await startRegistry(port);
      await produce([laterValue, laterValue]);
      await waitFor(() => seen.length === 6, { what: 'records after the registry is back' });
      assert.deepEqual(
        seen.slice(4).map((r) => [r.offset, r.schemaId, r.payload.note]),
        [
          ['7', later, 'n'],
          ['8', later, 'n'],
        ],
      );
      text = await metricsRegistry.metrics();
      assert.equal(sampleValue(text, 'pipewatch_schema_lookup_failures_total', { topic }), 3);
      assert.doesNotMatch(text, /pipewatch_schema_violations_total\{/);
    } finally {
      await producer.disconnect();
      await tap.stop();
    }
  });
});

describe('tap back pressure', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka({ brokerCount: 1 });
  });
  after(async () => {
    await cluster.stop();
  });

  it('holds at most one batch and a bounded prefetch behind a slow sink', async () => {
    const topic = await cluster.createTopic('tap-slow', 1);
    const recordCount = 10_000;
    const padding = 'x'.repeat(180); // ~200-byte records: 2 MB of backlog in one partition
    const producer = cluster.client().producer();
    await producer.connect();
    for (let sent = 0; sent < recordCount; sent += 1000) {
      await producer.send({
        topic,
        messages: Array.from({ length: 1000 }, (_, i) => ({
          value: JSON.stringify({ i: sent + i, padding }),
        })),
      });
    }
    await producer.disconnect();

    const maxBatchRecords = 500;
    const queuedKbytes = 64;
    const fetchBytes = 65_536;
    // The sink reads the tap's stats while it works, so it holds the tap through a box.
    const box: { tap?: Tap } = {};
    let maxBuffered = 0;
    let maxQueued = 0;
    let seen = 0;
    const slowSink = {
      name: 'slow',
      onRecord: () => {
        seen++;
        // 0.2 ms of work per record: the tap reads 20x slower than Kafka could deliver.
        const until = performance.now() + 0.2;
        while (performance.now() < until);
        if (seen % 50 === 0 && box.tap) {
          const stats = box.tap.stats();
          maxBuffered = Math.max(maxBuffered, stats.bufferedRecords + 1);
          maxQueued = Math.max(maxQueued, stats.clientQueuedRecords);
        }
      },
    };
    const tap = await startTap({
      brokers: cluster.brokers,
      groupId: uniqueName('slow'),
      topics: [topic],
      decode: decodeJsonRecord,
      sinks: [slowSink],
      metricsRegistry: new Registry(),
      logger,
      fromBeginning: true,
      maxBatchRecords,
      prefetchMaxKbytes: queuedKbytes,
      maxPartitionFetchBytes: fetchBytes,
    });
    box.tap = tap;
    try {
      await waitFor(() => tap.processedCount(topic) === recordCount, {
        what: `the backlog (${tap.processedCount(topic)} so far)`,
        timeoutMs: 60_000,
      });
    } finally {
      await tap.stop();
    }
    assert.equal(seen, recordCount, 'back pressure loses nothing');
    const stats = tap.stats();
    assert.ok(stats.maxBufferedRecords <= maxBatchRecords, `tap held ${stats.maxBufferedRecords}`);
    assert.ok(maxBuffered <= maxBatchRecords);
    // librdkafka stops fetching once a partition holds 64 KiB; one 64 KiB fetch may land on
    // top: about 650 records of 200 bytes, never the 10,000 of the backlog (librdkafka's
    // default prefetch of 64 MiB would take all of it).
    assert.ok(maxQueued > 0, 'the prefetch was observed');
    assert.ok(maxQueued <= 1000, `librdkafka held ${maxQueued} records`);
  });
});
