import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import {
  installMockControllerFallback,
  startMockCluster,
  type MockCluster,
} from '../../kafka/index.js';

/**
 * The Kafka cluster of a test file: librdkafka's in-process mock cluster by default, or the real
 * cluster named by PIPEWATCH_TEST_BROKERS (comma-separated host:port). Fault injection exists
 * only on the mock; tests that need it skip themselves on a real cluster (`faults` undefined).
 */
export interface TestKafkaCluster {
  readonly brokers: readonly string[];
  readonly isMock: boolean;
  /** Mock-only fault injection; undefined on a real cluster. */
  readonly faults: MockCluster | undefined;
  /** A kafkajs client for the test's own producers and consumers (quiet logging). */
  client(clientId?: string): Kafka;
  /** Creates a topic with a name unique to this run, returning the name. */
  createTopic(prefix: string, partitions?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A name no other test (or earlier run against a real cluster) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function startTestKafka(
  options: { brokerCount?: number } = {},
): Promise<TestKafkaCluster> {
  const external = process.env.PIPEWATCH_TEST_BROKERS;
  const mock = external ? undefined : startMockCluster(options.brokerCount ?? 3);
  const brokers = external ? external.split(',').map((s) => s.trim()) : mock!.brokers;
  // Clients of the mock get its controller-id fallback; a real cluster's are stock kafkajs.
  const client = (clientId = uniqueName('test')) => {
    const kafka = new Kafka({
      clientId,
      brokers: [...brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    return mock ? installMockControllerFallback(kafka) : kafka;
  };
  const admin = external ? client('test-admin').admin() : undefined;
  if (admin) await admin.connect();
  return {
    brokers,
    isMock: mock !== undefined,
    faults: mock,
    client,
    async createTopic(prefix, partitions = 3) {
      const topic = uniqueName(prefix);
      if (mock) mock.createTopic(topic, partitions);
      else
        await admin!.createTopics({
          topics: [{ topic, numPartitions: partitions }],
          waitForLeaders: true,
        });
      return topic;
    },
    async stop() {
      await admin?.disconnect();
      mock?.destroy();
    },
  };
}
