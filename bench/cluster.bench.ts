// Baseline for every Kafka benchmark: raw kafkajs produce and consume throughput against the
// in-process mock cluster on this machine, so pipeline numbers can be read as ratios of it.
import { createKafkaClient, RdConsumer, startMockCluster } from '../kafka/index.js';

const recordCount = 100_000;
const cluster = startMockCluster(1);
cluster.createTopic('bench.raw', 4, 1);
const kafka = createKafkaClient({ brokers: cluster.brokers, clientId: 'bench' });
const producer = kafka.producer();
await producer.connect();
const value = Buffer.alloc(100, 1);
const started = performance.now();
for (let sent = 0; sent < recordCount; sent += 1000) {
  await producer.send({
    topic: 'bench.raw',
    acks: -1,
    messages: Array.from({ length: 1000 }, (_, i) => ({ key: String((sent + i) % 64), value })),
  });
}
const produceSeconds = (performance.now() - started) / 1000;
await producer.disconnect();

const consumer = kafka.consumer({ groupId: 'bench-baseline' });
await consumer.connect();
await consumer.subscribe({ topic: 'bench.raw', fromBeginning: true });
const consumeStarted = performance.now();
let seen = 0;
await new Promise<void>((resolve) => {
  void consumer.run({
    eachBatch: async ({ batch }) => {
      seen += batch.messages.length;
      if (seen >= recordCount) resolve();
    },
  });
});
const consumeSeconds = (performance.now() - consumeStarted) / 1000;
await consumer.disconnect();

// The same records through librdkafka (kafka/librdkafka), the feature consumer's client.
const rdConsumer = new RdConsumer({
  brokers: cluster.brokers,
  clientId: 'bench',
  groupId: 'bench-rd',
  topics: ['bench.raw'],
});
let rdSeen = 0;
let rdStarted: number | undefined;
while (rdSeen < recordCount) {
  const records = await rdConsumer.poll(100);
  if (records.length > 0) rdStarted ??= performance.now();
  rdSeen += records.length;
}
const rdSeconds = (performance.now() - (rdStarted ?? 0)) / 1000;
await rdConsumer.close();
cluster.destroy();

const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
line('kafka.baseline_produce_records_per_s', recordCount / produceSeconds, 'records/s');
line('kafka.baseline_consume_records_per_s', recordCount / consumeSeconds, 'records/s');
line('kafka.librdkafka_consume_records_per_s', recordCount / rdSeconds, 'records/s');
