// One feature consumer as its own process, as `pipewatch pipeline consumer` runs: it drains
// `count` records, then prints one JSON line with its throughput, its main thread's CPU time
// and its peak RSS (VmHWM), and exits. Spawned by bench/pipeline.bench.ts.
import { readFileSync } from 'node:fs';
import { avroCodec, jsonCodec, startFeatureConsumer } from '../../pipeline/index.js';

interface Args {
  brokers: string[];
  topics: { raw: string; features: string; dlq: string };
  groupId: string;
  mode: 'microbatch' | 'per-event';
  format: 'json' | 'avro';
  registryUrl: string;
  count: number;
}
const args = JSON.parse(process.argv[2] ?? '{}') as Args;

/** CPU seconds (user + system) of this process's main thread, from /proc. */
function mainThreadCpuSeconds(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssBytes(): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return Number(line?.[1] ?? 0) * 1024;
}

const codec =
  args.format === 'json'
    ? jsonCodec()
    : avroCodec({
        registryUrl: args.registryUrl,
        rawTopic: args.topics.raw,
        featuresTopic: args.topics.features,
      });
const consumer = await startFeatureConsumer({
  brokers: args.brokers,
  topics: args.topics,
  groupId: args.groupId,
  codec,
  mode: args.mode,
});
const cpuBefore = mainThreadCpuSeconds();
while (consumer.stats().recordsAcknowledged < args.count) {
  await new Promise((r) => setTimeout(r, 20));
}
const stats = consumer.stats();
const cpuSeconds = mainThreadCpuSeconds() - cpuBefore;
await consumer.stop();
const seconds = ((stats.lastAckAtMs ?? 0) - (stats.firstBatchAtMs ?? 0)) / 1000;
process.stdout.write(
  `${JSON.stringify({
    eventsPerS: stats.recordsIn / seconds,
    records: stats.recordsIn,
    cpuSeconds,
    peakRssBytes: peakRssBytes(),
  })}\n`,
);
