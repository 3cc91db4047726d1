// The pipeline's throughput: one producer run fills a raw topic, then the micro-batch and the
// per-event consumer each drain the same records (own consumer groups), each in its own
// process as `pipewatch pipeline consumer` runs, against the mock cluster hosted here. The
// consumer's work runs on its Node thread, librdkafka's network threads beside it, so that
// thread's CPU time is printed too: events per CPU-second of it is the "one core" figure. The headline workload is JSON; the same drain in
// Avro through the embedded registry (the production format) is printed with `_avro`. Prints
// one JSON line per number.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { installMockControllerFallback, startMockCluster } from '../kafka/index.js';
import { avroCodec, jsonCodec, startProducer, type RecordCodec } from '../pipeline/index.js';
import { startBenchRegistry } from './support/registry.js';

const records = Number(process.env.BENCH_PIPELINE_RECORDS ?? 200_000);
const perEventRecords = Number(process.env.BENCH_PIPELINE_PER_EVENT_RECORDS ?? 10_000);
const partitions = 12;

function print(name: string, value: number, unit: string) {
  process.stdout.write(`${JSON.stringify({ name, value: Math.round(value * 100) / 100, unit })}\n`);
}

const cluster = startMockCluster(1);
const kafka = installMockControllerFallback(
  new Kafka({ clientId: 'bench', brokers: [...cluster.brokers], logLevel: logLevel.NOTHING }),
);
const topic = (name: string) => {
  cluster.createTopic(name, partitions, 1);
  return name;
};
const registry = await startBenchRegistry();
const codecs: Record<'json' | 'avro', () => RecordCodec> = {
  json: () => jsonCodec(),
  avro: () =>
    avroCodec({
      registryUrl: registry.url,
      rawTopic: 'bench.raw.avro',
      featuresTopic: 'bench.features.avro.microbatch.0',
    }),
};

/** Fills a raw topic as fast as the producer goes; returns events/s. */
async function fill(raw: string, format: 'json' | 'avro'): Promise<number> {
  const producer = await startProducer({
    kafka,
    topic: raw,
    codec: codecs[format](),
    ratePerSecond: 0,
    maxRecords: records,
    batchSize: Number(process.env.BENCH_PIPELINE_PRODUCER_BATCH ?? 5000),
    accountCount: 10_000,
    idPrefix: `bench-${format}`,
  });
  const t0 = performance.now();
  await producer.done;
  const seconds = (performance.now() - t0) / 1000;
  await producer.stop();
  return records / seconds;
}

interface DrainResult {
  eventsPerS: number;
  records: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

/**
 * One consumer group drains `count` records of `raw` in its own process (bench/support), against
 * the cluster hosted here: throughput from its first batch to its last acknowledgement.
 */
function drain(
  raw: string,
  format: 'json' | 'avro',
  mode: 'microbatch' | 'per-event',
  count: number,
  run = 0,
): Promise<DrainResult> {
  const name = `${format}.${mode}.${run}`;
  const args = {
    brokers: cluster.brokers,
    topics: { raw, features: topic(`bench.features.${name}`), dlq: topic(`bench.dlq.${name}`) },
    groupId: `bench-${name}`,
    mode,
    format,
    registryUrl: registry.url,
    count,
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('bench', 'support', 'consumer-process.ts'), JSON.stringify(args)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`consumer process (${name}) exited with ${code}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '{}') as DrainResult);
    });
  });
}

try {
  const raw = topic('bench.raw');
  print('pipeline.producer_events_per_s', await fill(raw, 'json'), 'events/s');
  // Three drains by three groups; the median damps a neighbour stealing the shared cores.
  const runs = [];
  for (let run = 0; run < 3; run++) runs.push(await drain(raw, 'json', 'microbatch', records, run));
  runs.sort((a, b) => a.eventsPerS - b.eventsPerS);
  const micro = runs[1]!;
  print('pipeline.microbatch_events_per_s', micro.eventsPerS, 'events/s (median of 3)');
  print('pipeline.microbatch_events_per_s_min', runs[0]!.eventsPerS, 'events/s (slowest of 3)');
  print('pipeline.consumer_peak_rss_bytes', micro.peakRssBytes, 'bytes (consumer process VmHWM)');
  print(
    'pipeline.microbatch_events_per_main_thread_cpu_s',
    micro.records / micro.cpuSeconds,
    'events per CPU-second of the Node thread',
  );
  const perEvent = await drain(raw, 'json', 'per-event', perEventRecords);
  print('pipeline.per_event_events_per_s', perEvent.eventsPerS, 'events/s');
  print('pipeline.microbatch_vs_per_event_ratio', micro.eventsPerS / perEvent.eventsPerS, 'ratio');

  const rawAvro = topic('bench.raw.avro');
  print('pipeline.producer_avro_events_per_s', await fill(rawAvro, 'avro'), 'events/s');
  const microAvro = await drain(rawAvro, 'avro', 'microbatch', records);
  print('pipeline.microbatch_avro_events_per_s', microAvro.eventsPerS, 'events/s');
} finally {
  await registry.close();
  cluster.destroy();
}
