import type { Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { dlqHeaders, type PipelineTopics } from '../../pipeline/index.js';

export async function createPipelineTopics(
  cluster: TestKafkaCluster,
  partitions = 3,
): Promise<PipelineTopics> {
  return {
    raw: await cluster.createTopic('raw.transactions', partitions),
    features: await cluster.createTopic('features.transactions', partitions),
    dlq: await cluster.createTopic('raw.transactions.dlq', partitions),
  };
}

/** Reads a topic from the beginning until `expected` records arrived (or the timeout). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  expected: number,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const seen: KafkaMessage[] = [];
  if (expected === 0) return seen;
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic}: saw ${seen.length}/${expected} records`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message);
          if (seen.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/** Sum of end offsets of a topic: the number of records written (no transactions markers). */
export async function topicRecordCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export function header(message: KafkaMessage, name: string): string | undefined {
  const value = message.headers?.[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

export function errorType(message: KafkaMessage): string | undefined {
  return header(message, dlqHeaders.errorType);
}
