import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { Message } from 'kafkajs';
import { decodeJsonRecord, SchemaViolationRecorder, startTap } from '../../collector/index.js';
import { DlqMonitor, ReadingsBoard } from '../../monitor/index.js';
import { openDatabase, sqliteDlqWindowStore } from '../../store/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';

const logger = pino({ level: 'silent' });

async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

/** `count` records of one DLQ header convention, each naming `sourceTopic`. */
function dlqRecords(count: number, headers: Message['headers'], timestampMs: number): Message[] {
  return Array.from({ length: count }, () => ({
    value: Buffer.from([0xde, 0xad]), // the original (bad) bytes: must never be decoded
    headers,
    timestamp: String(timestampMs),
  }));
}

describe('DLQ rate on the test cluster', () => {
  let cluster: TestKafkaCluster;
  let dir: string;
  before(async () => {
    cluster = await startTestKafka();
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-dlq-'));
  });
  after(async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the known DLQ fraction per source topic and error type under each header convention, and restores it after a restart', async () => {
    const [rawA, rawB, rawC, idle, dlq] = await Promise.all(
      ['dlq-raw-a', 'dlq-raw-b', 'dlq-raw-c', 'dlq-idle', 'dlq-topic'].map((p) =>
        cluster.createTopic(p, 2),
      ),
    );
    const t = Date.now() - 60_000; // a minute ago: inside both windows
    const source = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        value: JSON.stringify({ i }),
        timestamp: String(t + (i % 1000)),
      }));
    const pipewatchHeaders = (type: string) => ({
      'pipewatch.error.type': type,
      'pipewatch.error.message': 'bad',
      'pipewatch.source.topic': rawA!,
      'pipewatch.source.partition': '0',
      'pipewatch.source.offset': '1',
    });
    const connectHeaders = (cls: string, stage: string) => ({
      '__connect.errors.topic': rawB!,
      '__connect.errors.partition': '1',
      '__connect.errors.offset': '7',
      '__connect.errors.stage': stage,
      '__connect.errors.exception.class.name': cls,
    });
    const producer = cluster.client().producer();
    await producer.connect();
    await producer.send({ topic: rawA!, messages: source(2000) });
    await producer.send({ topic: rawB!, messages: source(1000) });
    await producer.send({ topic: rawC!, messages: source(500) });
    await producer.send({
      topic: dlq!,
      messages: [
        // pipewatch: 20 semantic + 10 schema of 2000 → 1.5 %
        ...dlqRecords(20, pipewatchHeaders('SEMANTIC_ERROR'), t),
        ...dlqRecords(10, pipewatchHeaders('SCHEMA_VIOLATION'), t),
        // Kafka Connect: 30 converter failures + 10 failed sink puts of 1000 → 4 %
        ...dlqRecords(
          30,
          connectHeaders('org.apache.kafka.connect.errors.DataException', 'VALUE_CONVERTER'),
          t,
        ),
        ...dlqRecords(10, connectHeaders('com.example.WarehouseDown', 'TASK_PUT'), t),
        // Spring: 5 deserialisation failures of 500 → 1 %, partition as a 4-byte int
        ...dlqRecords(
          5,
          {
            'kafka_dlt-original-topic': rawC!,
            'kafka_dlt-original-partition': int32(1),
            'kafka_dlt-exception-fqcn':
              'org.springframework.kafka.listener.ListenerExecutionFailedException',
            'kafka_dlt-exception-cause-fqcn':
              'org.springframework.kafka.support.serializer.DeserializationException',
          },
          t,
        ),
        // No known header at all: unknown source, no ratio.
        ...dlqRecords(7, { 'content-type': 'application/octet-stream' }, t),
      ],
    });
    await producer.disconnect();

    const dbFile = join(dir, 'pipewatch.sqlite');
    let db = openDatabase(dbFile);
    const options = {
      pipelines: [{ name: 'p', rawTopics: [rawA!, rawB!, rawC!, idle!], dlqTopics: [dlq!] }],
      windows: [
        { windowSeconds: 300, subWindowSeconds: 10 },
        { windowSeconds: 3600, subWindowSeconds: 60 },
      ],
      maxSkewMs: 300_000,
      evaluateIntervalMs: 60_000,
      persistIntervalMs: 60_000,
      logger,
    };
    const board = new ReadingsBoard();
    const monitor = new DlqMonitor({ ...options, board, store: sqliteDlqWindowStore(db) });
    monitor.start();
    const metricsRegistry = new Registry();
    const recorder = new SchemaViolationRecorder({ metricsRegistry });
    const tap = await startTap({
      brokers: cluster.brokers,
      groupId: uniqueName('dlq-tap'),
      topics: [rawA!, rawB!, rawC!, idle!],
      undecodedTopics: [dlq!],
      decode: decodeJsonRecord,
      sinks: [],
      tappedSinks: [monitor.sink],
      onUndecodable: recorder.onUndecodable,
      metricsRegistry,
      logger,
      fromBeginning: true,
    });
    try {
      await waitFor(
        () =>
          tap.processedCount(rawA!) === 2000 &&
          tap.processedCount(rawB!) === 1000 &&
          tap.processedCount(rawC!) === 500 &&
          tap.processedCount(dlq!) === 82,
        'every record',
      );
    } finally {
      await tap.stop();
    }
    // DLQ records are bad by design: not one counts as a schema violation.
    assert.deepEqual(recorder.snapshot().violations, []);

    const check = (b: ReadingsBoard) => {
      const ratio = (topic: string, window: string) =>
        b.readings({
          name: 'pipewatch_dlq_ratio',
          labels: { pipeline: 'p', source_topic: topic, window },
        })[0]?.value;
      const byType = (topic: string, type: string) =>
        b.readings({
          name: 'pipewatch_dlq_ratio_by_error_type',
          labels: { pipeline: 'p', source_topic: topic, error_type: type, window: '5m' },
        })[0]?.value;
      for (const window of ['5m', '1h']) {
        assert.equal(ratio(rawA!, window), 30 / 2000, `pipewatch ${window}`);
        assert.equal(ratio(rawB!, window), 40 / 1000, `connect ${window}`);
        assert.equal(ratio(rawC!, window), 5 / 500, `spring ${window}`);
        assert.equal(ratio(idle!, window), undefined, 'an idle source has no ratio');
        assert.equal(ratio('unknown', window), undefined);
      }
      assert.equal(byType(rawA!, 'SEMANTIC_ERROR'), 20 / 2000);
      assert.equal(byType(rawA!, 'SCHEMA_VIOLATION'), 10 / 2000);
      assert.equal(byType(rawB!, 'SCHEMA_VIOLATION'), 30 / 1000);
      assert.equal(byType(rawB!, 'DELIVERY_ERROR'), 10 / 1000);
      assert.equal(byType(rawC!, 'SCHEMA_VIOLATION'), 5 / 500);
      const all = b.readings({ name: 'pipewatch_dlq_records_total' });
      // Every (raw topic or unknown/other, error type) exists, at 0 until its first record.
      assert.equal(all.length, 6 * 6);
      const totals = all
        .filter((r) => r.value > 0)
        .map((r) => [r.labels.source_topic, r.labels.error_type, r.value])
        .sort();
      assert.deepEqual(
        totals,
        [
          [rawA, 'SCHEMA_VIOLATION', 10],
          [rawA, 'SEMANTIC_ERROR', 20],
          [rawB, 'DELIVERY_ERROR', 10],
          [rawB, 'SCHEMA_VIOLATION', 30],
          [rawC, 'SCHEMA_VIOLATION', 5],
          ['unknown', 'UNKNOWN', 7],
        ].sort(),
      );
    };
    monitor.publish(Date.now());
    check(board);

    // Restart: the monitor saves at stop; a new one on the same SQLite file restores the
    // windows and totals before reading a single record.
    monitor.stop();
    db.close();
    db = openDatabase(dbFile);
    try {
      const board2 = new ReadingsBoard();
      const restarted = new DlqMonitor({
        ...options,
        board: board2,
        store: sqliteDlqWindowStore(db),
      });
      restarted.start();
      check(board2);
      restarted.stop();
    } finally {
      db.close();
    }
  });
});
