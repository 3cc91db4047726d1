// The tap end to end: Confluent-Avro feature records (the reference pipeline's schema) already
// on a topic of the in-process mock cluster hosted here, read by the tap in its own process
// (as `pipewatch serve` runs it), decoded through the embedded registry and fed into the drift
// windows of 8 watched features. Prints feature values/s, records/s, the tap's CPU seconds per
// million records (its Node thread, and the whole process with librdkafka's threads), its peak
// RSS, and the same run through the old kafkajs tap as a ratio. One process per tap run so the
// two clients do not share a heap or a core; the cluster is the same.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import avro from 'avsc';
import type { KafkaMessage } from 'kafkajs';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  createWireChecks,
  encodeConfluentFrame,
  startTap,
  toTappedRecord,
  type RecordDecoder,
  type RecordSink,
} from '../collector/index.js';
import {
  categoricalReferenceFromValues,
  defaultWindowSpecs,
  numericReferenceFromValues,
} from '../detectors/index.js';
import { createKafkaClient, RdProducer, startMockCluster } from '../kafka/index.js';
import { DriftRuntime, ReadingsBoard } from '../monitor/index.js';
import { memoryReferenceStore } from '../store/index.js';
import { startBenchRegistry } from './support/registry.js';

const numericFeatures = [
  'amount_usd',
  'amount_log1p',
  'amount_to_balance_ratio',
  'account_txn_count_1m',
  'account_spend_usd_1m',
  'account_txn_count_1h',
  'account_spend_usd_1h',
] as const;
const channels = ['ecommerce', 'card_present', 'contactless', 'atm'];
const featureCount = numericFeatures.length + 1; // + channel

interface ChildArgs {
  readonly client: 'librdkafka' | 'kafkajs';
  readonly brokers: string[];
  readonly topic: string;
  readonly registryUrl: string;
  readonly count: number;
}
interface ChildResult {
  readonly recordsPerS: number;
  readonly records: number;
  readonly valuesInWindows: number;
  readonly mainThreadCpuSeconds: number;
  readonly processCpuSeconds: number;
  readonly peakRssBytes: number;
  readonly maxBufferedRecords: number;
  readonly meanBatchRecords: number;
}

let seed = 7;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};

function featureRecord(i: number) {
  const amount = 5 + random() * 200;
  return {
    transaction_id: `t-${i}`,
    account_id: `a-${i % 5000}`,
    event_time_ms: 1_700_000_000_000 + i,
    computed_at_ms: 1_700_000_000_000 + i,
    amount_usd: amount,
    amount_log1p: Math.log1p(amount),
    amount_to_balance_ratio: random(),
    high_risk_merchant: random() < 0.1,
    channel: channels[Math.floor(random() * channels.length)]!,
    account_txn_count_1m: Math.floor(random() * 5),
    account_spend_usd_1m: random() * 500,
    account_txn_count_1h: Math.floor(random() * 30),
    account_spend_usd_1h: random() * 3000,
    seconds_since_last_txn: random() < 0.1 ? null : random() * 3600,
  };
}

function mainThreadCpuSeconds(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssBytes(): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(line?.[1] ?? 0) * 1024;
}

/** The old tap, as it was before it moved to librdkafka: kafkajs eachBatch, record by record. */
async function startKafkajsTap(args: ChildArgs, decode: RecordDecoder, sinks: RecordSink[]) {
  const kafka = createKafkaClient({ brokers: args.brokers, clientId: 'bench-kafkajs-tap' });
  const consumer = kafka.consumer({ groupId: 'bench-kafkajs-tap', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [args.topic], fromBeginning: true });
  const handle = async (message: KafkaMessage, partition: number) => {
    const tapped = toTappedRecord(args.topic, partition, message);
    const outcome = await decode(tapped);
    if (!outcome.ok) return;
    const nowMs = Date.now();
    for (const sink of sinks) sink.onRecord(outcome.record, nowMs);
  };
  await consumer.run({
    eachBatch: async (payload) => {
      for (const message of payload.batch.messages) {
        if (!payload.isRunning() || payload.isStale()) break;
        await handle(message, payload.batch.partition);
        payload.resolveOffset(message.offset);
      }
      await payload.heartbeat();
    },
  });
  return {
    stop: () => consumer.disconnect(),
    maxBufferedRecords: () => Number.NaN,
    batches: () => Number.NaN,
  };
}

async function child(args: ChildArgs): Promise<ChildResult> {
  const logger = pino({ level: 'silent' });
  const metricsRegistry = new Registry();
  const store = memoryReferenceStore();
  const sample = Array.from({ length: 5000 }, (_, i) => featureRecord(i));
  for (const feature of numericFeatures) {
    store.register(
      {
        topic: args.topic,
        feature,
        source: 'values',
        reference: numericReferenceFromValues(sample.map((r) => r[feature])),
      },
      Date.now(),
    );
  }
  store.register(
    {
      topic: args.topic,
      feature: 'channel',
      source: 'values',
      reference: categoricalReferenceFromValues(sample.map((r) => r.channel)),
    },
    Date.now(),
  );
  const drift = new DriftRuntime({
    referenceStore: store,
    board: new ReadingsBoard(),
    logger,
    windows: defaultWindowSpecs,
    thresholds: {},
    minWindowValues: 500,
    evaluateIntervalMs: 10_000,
    persistIntervalMs: 600_000,
  });
  drift.refresh(Date.now());
  const { decode } = createWireChecks({ registryUrl: args.registryUrl, metricsRegistry });
  let seen = 0;
  let firstMs = 0;
  let lastMs = 0;
  let cpuAtFirst = 0;
  let processCpuAtFirst = 0;
  const counter: RecordSink = {
    name: 'count',
    onRecord: () => {
      if (seen === 0) {
        firstMs = performance.now();
        cpuAtFirst = mainThreadCpuSeconds();
        const u = process.cpuUsage();
        processCpuAtFirst = (u.user + u.system) / 1e6;
      }
      seen++;
      lastMs = performance.now();
    },
  };
  const sinks = [drift.sink, counter];
  const tap =
    args.client === 'librdkafka'
      ? await startTap({
          brokers: args.brokers,
          groupId: 'bench-rd-tap',
          topics: [args.topic],
          decode,
          sinks,
          metricsRegistry,
          logger,
          fromBeginning: true,
          ...(process.env.BENCH_TAP_BATCH
            ? { maxBatchRecords: Number(process.env.BENCH_TAP_BATCH) }
            : {}),
          ...(process.env.BENCH_TAP_PREFETCH_RECORDS
            ? { prefetchMaxRecords: Number(process.env.BENCH_TAP_PREFETCH_RECORDS) }
            : {}),
          ...(process.env.BENCH_TAP_QUEUED_KB
            ? { prefetchMaxKbytes: Number(process.env.BENCH_TAP_QUEUED_KB) }
            : {}),
        }).then((t) => ({
          stop: () => t.stop(),
          maxBufferedRecords: () => t.stats().maxBufferedRecords,
          batches: () => t.stats().batches,
        }))
      : await startKafkajsTap(args, decode, sinks);
  while (seen < args.count) await new Promise((r) => setTimeout(r, 5));
  const cpu = mainThreadCpuSeconds() - cpuAtFirst;
  const u = process.cpuUsage();
  const processCpu = (u.user + u.system) / 1e6 - processCpuAtFirst;
  const maxBuffered = tap.maxBufferedRecords();
  const batches = tap.batches();
  await tap.stop();
  // Every record's 8 values really reached the windows (n + nulls + invalid of the 5m window).
  let values = 0;
  for (const t of drift.sink.tracked()) {
    const w = t.windows.snapshot(Date.now())[0]!;
    values += w.n + w.nullCount + w.invalidCount;
  }
  return {
    recordsPerS: (seen - 1) / ((lastMs - firstMs) / 1000),
    records: seen,
    valuesInWindows: values,
    mainThreadCpuSeconds: cpu,
    processCpuSeconds: processCpu,
    peakRssBytes: peakRssBytes(),
    maxBufferedRecords: maxBuffered,
    meanBatchRecords: seen / batches,
  };
}

function runChild(args: ChildArgs): Promise<ChildResult> {
  const proc = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_TAP_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/tap-prof'] : []),
      '--import',
      'tsx',
      'bench/collector-tap.bench.ts',
      '--child',
      JSON.stringify(args),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    },
  );
  let out = '';
  proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`tap process (${args.client}) exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as ChildResult);
    });
  });
}

const print = (name: string, value: number, unit: string) =>
  process.stdout.write(`${JSON.stringify({ name, value: Number(value.toPrecision(4)), unit })}\n`);

async function main() {
  const records = Number(process.env.BENCH_TAP_RECORDS ?? 300_000);
  const kafkajsRecords = Number(process.env.BENCH_TAP_KAFKAJS_RECORDS ?? 60_000);
  const cluster = startMockCluster(1);
  const registry = await startBenchRegistry();
  try {
    const schema = readFileSync('schemas/avro/transaction-features.avsc', 'utf8');
    const topics = { rd: 'bench.tap.features.rd', kafkajs: 'bench.tap.features.kafkajs' };
    const producer = new RdProducer({
      brokers: cluster.brokers,
      clientId: 'bench-tap',
      lingerMs: 5,
    });
    const type = avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
    for (const [topic, count] of [
      [topics.rd, records],
      [topics.kafkajs, kafkajsRecords],
    ] as const) {
      cluster.createTopic(topic, 12, 1);
      const response = await fetch(`${registry.url}/subjects/${topic}-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema }),
      });
      const { id } = (await response.json()) as { id: number };
      for (let sent = 0; sent < count; sent += 5000) {
        const messages = Array.from({ length: Math.min(5000, count - sent) }, (_, i) => {
          const r = featureRecord(sent + i);
          return { key: r.account_id, value: encodeConfluentFrame(id, type.toBuffer(r)) };
        });
        await producer.send([{ topic, messages }]);
      }
    }
    await producer.close();

    const common = { brokers: [...cluster.brokers], registryUrl: registry.url };
    const rd = await runChild({
      ...common,
      client: 'librdkafka',
      topic: topics.rd,
      count: records,
    });
    const old = await runChild({
      ...common,
      client: 'kafkajs',
      topic: topics.kafkajs,
      count: kafkajsRecords,
    });
    if (rd.valuesInWindows !== records * featureCount) {
      process.stderr.write(`bench: only ${rd.valuesInWindows} values reached the windows\n`);
      process.exitCode = 1;
    }
    print(
      'collector.tap_feature_values_per_s',
      rd.recordsPerS * featureCount,
      'feature values/s (8 per record, Kafka → drift windows)',
    );
    print('collector.tap_records_per_s', rd.recordsPerS, 'records/s');
    print(
      'collector.tap_cpu_seconds_per_million_records',
      (rd.mainThreadCpuSeconds / rd.records) * 1e6,
      'CPU s of the tap Node thread per 1M records',
    );
    print(
      'collector.tap_process_cpu_seconds_per_million_records',
      (rd.processCpuSeconds / rd.records) * 1e6,
      'CPU s of the tap process (librdkafka threads included) per 1M records',
    );
    print(
      'collector.tap_feature_values_per_cpu_s',
      (rd.records * featureCount) / rd.mainThreadCpuSeconds,
      'feature values per CPU-second of the tap Node thread (the one-core figure)',
    );
    print('collector.tap_peak_rss_bytes', rd.peakRssBytes, 'bytes (tap process VmHWM)');
    print(
      'collector.tap_max_buffered_records',
      rd.maxBufferedRecords,
      'records (one batch at most)',
    );
    print('collector.tap_mean_batch_records', rd.meanBatchRecords, 'records per batch');
    print(
      'collector.tap_kafkajs_records_per_s',
      old.recordsPerS,
      'records/s (the old kafkajs tap)',
    );
    print(
      'collector.tap_kafkajs_cpu_seconds_per_million_records',
      (old.mainThreadCpuSeconds / old.records) * 1e6,
      'CPU s of the Node thread per 1M records (old kafkajs tap)',
    );
    print('collector.tap_vs_kafkajs_tap_ratio', rd.recordsPerS / old.recordsPerS, 'ratio');
    print(
      'collector.tap_cpu_vs_kafkajs_tap_ratio',
      old.mainThreadCpuSeconds / old.records / (rd.mainThreadCpuSeconds / rd.records),
      'ratio (Node-thread CPU per record, kafkajs tap / librdkafka tap)',
    );
  } finally {
    await registry.close();
    cluster.destroy();
  }
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const result = await child(JSON.parse(process.argv[childAt + 1] ?? '{}') as ChildArgs);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  await main();
}
