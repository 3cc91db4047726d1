import type { Admin, Kafka } from 'kafkajs';

export interface KafkaHealthMonitor {
  /** True when the last metadata round trip succeeded within `staleAfterMs`. */
  isHealthy(nowMs: number): boolean;
  stop(): Promise<void>;
}

/**
 * Asks the cluster for its metadata every `intervalMs` (default 10000) on one long-lived admin
 * connection, so /readyz answers from memory and never waits on Kafka. Healthy means a
 * successful answer within the last `staleAfterMs` (default 3 × interval).
 */
export function monitorKafkaHealth(
  kafka: Kafka,
  options: { intervalMs?: number; staleAfterMs?: number; onError?: (error: unknown) => void } = {},
): KafkaHealthMonitor {
  const intervalMs = options.intervalMs ?? 10_000;
  const staleAfterMs = options.staleAfterMs ?? intervalMs * 3;
  const admin: Admin = kafka.admin();
  let connected = false;
  let lastSuccessMs = Number.NEGATIVE_INFINITY;
  let stopped = false;

  const probe = async () => {
    try {
      if (!connected) {
        await admin.connect();
        connected = true;
      }
      await admin.describeCluster();
      lastSuccessMs = Date.now();
    } catch (error) {
      options.onError?.(error);
    }
  };
  void probe();
  const timer = setInterval(() => void probe(), intervalMs);
  timer.unref();

  return {
    isHealthy: (nowMs) => nowMs - lastSuccessMs <= staleAfterMs,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await admin.disconnect();
    },
  };
}
