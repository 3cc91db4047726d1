// The pipeline's throughput: one producer run fills a raw topic, then the micro-batch and the
// per-event consumer each drain the same records (own consumer groups) in this process, so
// "one core" means this Node thread. Prints one JSON line per number.
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { startMockCluster } from '../kafka/index.js';
import { jsonCodec, startFeatureConsumer, startProducer } from '../pipeline/index.js';

const records = Number(process.env.BENCH_PIPELINE_RECORDS ?? 200_000);
const perEventRecords = Number(process.env.BENCH_PIPELINE_PER_EVENT_RECORDS ?? 10_000);
const partitions = 12;

function print(name: string, value: number, unit: string) {
  process.stdout.write(`${JSON.stringify({ name, value: Math.round(value * 100) / 100, unit })}\n`);
}

const cluster = startMockCluster(1);
const kafka = new Kafka({
  clientId: 'bench',
  brokers: [...cluster.brokers],
  logLevel: logLevel.NOTHING,
});
const topic = (name: string) => {
  cluster.createTopic(name, partitions, 1);
  return name;
};
const raw = topic('bench.raw');

try {
  const producer = await startProducer({
    kafka,
    topic: raw,
    codec: jsonCodec(),
    ratePerSecond: 0,
    maxRecords: records,
    batchSize: Number(process.env.BENCH_PIPELINE_PRODUCER_BATCH ?? 5000),
    accountCount: 10_000,
    idPrefix: 'bench',
  });
  const t0 = performance.now();
  await producer.done;
  const producerSeconds = (performance.now() - t0) / 1000;
  await producer.stop();
  print('pipeline.producer_events_per_s', records / producerSeconds, 'events/s');

  async function drain(mode: 'microbatch' | 'per-event', count: number, sampleRss: boolean) {
    const consumer = await startFeatureConsumer({
      kafka,
      topics: { raw, features: topic(`bench.features.${mode}`), dlq: topic(`bench.dlq.${mode}`) },
      groupId: `bench-${mode}`,
      codec: jsonCodec(),
      mode,
    });
    let peakRss = process.memoryUsage().rss;
    while (consumer.stats().recordsAcknowledged < count) {
      await new Promise((r) => setTimeout(r, 20));
      if (sampleRss) peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const stats = consumer.stats();
    await consumer.stop();
    const seconds = ((stats.lastAckAtMs ?? 0) - (stats.firstBatchAtMs ?? 0)) / 1000;
    return { eventsPerS: stats.recordsIn / seconds, peakRss };
  }

  const micro = await drain('microbatch', records, true);
  print('pipeline.microbatch_events_per_s', micro.eventsPerS, 'events/s');
  print('pipeline.consumer_peak_rss_bytes', micro.peakRss, 'bytes');
  const perEvent = await drain('per-event', perEventRecords, false);
  print('pipeline.per_event_events_per_s', perEvent.eventsPerS, 'events/s');
  print('pipeline.microbatch_vs_per_event_ratio', micro.eventsPerS / perEvent.eventsPerS, 'ratio');
} finally {
  cluster.destroy();
}
