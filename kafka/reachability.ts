import type { Kafka } from 'kafkajs';
import { PipewatchError } from '../common/index.js';

/**
 * Connects an admin client and fetches cluster metadata, failing with KAFKA_UNREACHABLE (naming
 * the brokers) when no broker answers within `timeoutMs`.
 */
export async function checkBrokersReachable(
  kafka: Kafka,
  brokers: readonly string[],
  timeoutMs: number,
): Promise<{ brokerCount: number; controller: number | null }> {
  const admin = kafka.admin();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new PipewatchError(
            'KAFKA_UNREACHABLE',
            `no Kafka broker answered within ${timeoutMs} ms at ${brokers.join(', ')}`,
            { brokers },
          ),
        ),
      timeoutMs,
    );
  });
  try {
    const attempt = (async () => {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return { brokerCount: cluster.brokers.length, controller: cluster.controller };
    })();
    return await Promise.race([attempt, timeout]);
  } catch (error) {
    if (error instanceof PipewatchError) throw error;
    throw new PipewatchError(
      'KAFKA_UNREACHABLE',
      `cannot reach Kafka at ${brokers.join(', ')}: ${(error as Error).message}`,
      { brokers },
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}
