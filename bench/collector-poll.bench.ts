// collector.poll_cycle_seconds: one lag cycle (OffsetFetch for every group, ListOffsets for
// every topic, the record reads at new committed offsets, judging and publishing) for 50 groups
// × 200 partitions (50 topics of 200 partitions, one group each: 10,000 group-partitions) on
// the in-process mock cluster. Target < 1 s. Also the cold first cycle, a cycle in which every
// committed offset moved (10,000 record reads), and the offsets poll with one request in flight
// at a time against the default 16, as a ratio.
import { pino } from 'pino';
import { createRecordReader, pollOffsets } from '../collector/index.js';
import { createKafkaClient, startMockCluster } from '../kafka/index.js';
import { LagMonitor, ReadingsBoard } from '../monitor/index.js';
import { memoryLagHistoryStore } from '../store/index.js';
import { commitOffsets } from '../test/collector/offsets/support.js';

const groupCount = 50;
const partitionCount = 200;
const cluster = startMockCluster(3);
const kafka = createKafkaClient({ brokers: cluster.brokers, clientId: 'bench' });
const admin = kafka.admin();
await admin.connect();
const producer = kafka.producer();
await producer.connect();
const topics = Array.from({ length: groupCount }, (_, i) => `bench.lag.${i}`);
for (const t of topics) cluster.createTopic(t, partitionCount);

/** Writes `perPartition` records to every partition and commits each group `behind` short of the end. */
async function advance(round: number, perPartition: number, behind: number): Promise<void> {
  for (const topic of topics) {
    const messages = [];
    for (let p = 0; p < partitionCount; p++) {
      for (let k = 0; k < perPartition; k++) messages.push({ partition: p, value: `r${round}` });
    }
    await producer.send({ topic, acks: -1, messages });
  }
  const end = (round + 1) * perPartition;
  for (let g = 0; g < groupCount; g++) {
    const offsets = Array.from({ length: partitionCount }, (_, p) => ({
      topic: topics[g]!,
      partition: p,
      offset: end - behind,
    }));
    await commitOffsets(cluster.brokers, `bench-group-${g}`, offsets);
  }
}

await advance(0, 3, 1);
const pipelines = topics.map((t, g) => ({
  name: `p${g}`,
  rawTopics: [t],
  featureTopics: [],
  dlqTopics: [],
  groups: [`bench-group-${g}`],
  freshnessTargetSeconds: 60,
}));
const reader = createRecordReader({
  brokers: cluster.brokers,
  clientId: 'bench',
  timeoutMs: 30_000,
});
const board = new ReadingsBoard();
const monitor = new LagMonitor({
  admin,
  reader,
  board,
  store: memoryLagHistoryStore(),
  logger: pino({ level: 'silent' }),
  pipelines,
  clock: Date.now,
  pollIntervalMs: 10_000,
  historyPoints: 1000,
  extrapolationCapSeconds: 600,
  statusWindowMs: 60_000,
  stopAfterMs: 300_000,
  rateWindowMs: 60_000,
  persistIntervalMs: 60_000,
  partitionSeries: true,
});

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}

const cold = await timed(() => monitor.tick());
const warm: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < 5; i++) warm.push(await timed(() => monitor.tick()));
const cpu = process.cpuUsage(cpuBefore);
// CPU of this process per steady cycle: less sensitive than wall time to a shared machine.
const cpuPerCycle = (cpu.user + cpu.system) / 1e6 / 5;
await advance(1, 2, 1);
const moved = await timed(() => monitor.tick());

const groups = pipelines.map((p) => ({ group: p.groups[0]!, topics: p.rawTopics }));
const onError = () => undefined;
const poll16: number[] = [];
const poll1: number[] = [];
for (let i = 0; i < 3; i++) {
  poll16.push(await timed(() => pollOffsets({ admin, groups, onError, nowMs: Date.now })));
  poll1.push(
    await timed(() => pollOffsets({ admin, groups, onError, nowMs: Date.now, concurrency: 1 })),
  );
}
const errors = monitor.collector().errors;
const series = board.readings().length;

await reader.close();
await producer.disconnect();
await admin.disconnect();
cluster.destroy();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Math.round(value * 10_000) / 10_000, unit }));
line('collector.poll_cycle_seconds', median(warm), 's');
line('collector.poll_cycle_cpu_seconds', cpuPerCycle, 's');
line('collector.poll_cycle_cold_seconds', cold, 's');
line('collector.poll_cycle_all_moved_seconds', moved, 's');
line('collector.offsets_poll_seconds', median(poll16), 's');
line('collector.offsets_poll_sequential_seconds', median(poll1), 's');
line('collector.offsets_poll_concurrency_ratio', median(poll1) / median(poll16), 'x');
line('collector.poll_cycle_board_readings', series, 'readings');
line(
  'collector.poll_cycle_errors',
  Object.values(errors).reduce((a, b) => a + b, 0),
  'errors',
);
