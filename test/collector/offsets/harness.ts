import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { createRecordReader, type RecordReader } from '../../../collector/index.js';
import {
  LagMonitor,
  ReadingsBoard,
  type LagMonitorOptions,
  type LagPipeline,
} from '../../../monitor/index.js';
import { openDatabase, sqliteLagHistoryStore, type SqliteDatabase } from '../../../store/index.js';
import { startTestKafka, type TestKafkaCluster } from '../../support/kafka.js';

/** Fixed epoch of every scenario: record timestamps and the monitor's clock are chosen. */
export const T0 = 1_700_000_000_000;

export interface Harness {
  readonly cluster: TestKafkaCluster;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly reader: RecordReader;
  readonly board: ReadingsBoard;
  readonly db: SqliteDatabase;
  readonly dbFile: string;
  /** The monitors' clock; tests move it. */
  readonly clock: { nowMs: number };
  monitor(pipelines: readonly LagPipeline[], overrides?: Partial<MonitorKnobs>): LagMonitor;
  stop(): Promise<void>;
}

export interface MonitorKnobs {
  logger: Logger;
  discovery: LagMonitorOptions['discovery'];
  statusWindowMs: number;
  stopAfterMs: number;
  partitionSeries: boolean;
}

export async function startHarness(): Promise<Harness> {
  const cluster = await startTestKafka();
  const client = cluster.client();
  const admin = client.admin({ retry: { retries: 0 } });
  await admin.connect();
  const producer = client.producer();
  await producer.connect();
  const reader = createRecordReader({
    brokers: cluster.brokers,
    clientId: 'lag-test',
    timeoutMs: 5000,
  });
  const dir = mkdtempSync(join(tmpdir(), 'pipewatch-lag-'));
  const dbFile = join(dir, 'pipewatch.sqlite');
  const db = openDatabase(dbFile);
  const board = new ReadingsBoard();
  const clock = { nowMs: T0 };
  return {
    cluster,
    admin,
    producer,
    reader,
    board,
    db,
    dbFile,
    clock,
    monitor(pipelines, overrides = {}) {
      return new LagMonitor({
        admin,
        reader,
        board,
        store: sqliteLagHistoryStore(db),
        logger: overrides.logger ?? pino({ level: 'silent' }),
        discovery: overrides.discovery,
        ownGroupPrefix: 'lag-test.',
        pipelines,
        clock: () => clock.nowMs,
        pollIntervalMs: 10_000,
        historyPoints: 1000,
        extrapolationCapSeconds: 600,
        statusWindowMs: overrides.statusWindowMs ?? 60_000,
        stopAfterMs: overrides.stopAfterMs ?? 180_000,
        rateWindowMs: 60_000,
        persistIntervalMs: 60_000,
        partitionSeries: overrides.partitionSeries ?? true,
      });
    },
    async stop() {
      await reader.close();
      await producer.disconnect();
      await admin.disconnect();
      await cluster.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function pipeline(
  name: string,
  topics: readonly string[],
  groups: readonly string[],
): LagPipeline {
  return {
    name,
    rawTopics: topics,
    featureTopics: [],
    dlqTopics: [],
    groups,
    freshnessTargetSeconds: 3600,
  };
}

/** Produces `count` records to one partition with the given timestamps (ms). */
export async function produce(
  producer: Producer,
  topic: string,
  partition: number,
  timestampsMs: readonly number[],
): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: timestampsMs.map((t, i) => ({ partition, value: `v${i}`, timestamp: String(t) })),
  });
}

/** The value of one board reading, or undefined when it is absent. */
export function reading(
  board: ReadingsBoard,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const found = board.readings({ name, labels });
  if (found.length > 1)
    throw new Error(`${found.length} readings of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

/** The current group status from pipewatch_consumer_group_status (the one with value 1). */
export function groupStatusOf(
  board: ReadingsBoard,
  pipelineName: string,
  group: string,
): string | undefined {
  return board
    .readings({
      name: 'pipewatch_consumer_group_status',
      labels: { pipeline: pipelineName, group },
    })
    .find((r) => r.value === 1)?.labels.status;
}
