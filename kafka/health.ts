import type { Admin, Kafka } from 'kafkajs';

export interface KafkaHealthMonitor {
  /** True when the last metadata round trip succeeded within `staleAfterMs`. */
  isHealthy(nowMs: number): boolean;
  stop(): Promise<void>;
}

export interface KafkaHealthOptions {
  /** Default 10000. */
  readonly intervalMs?: number;
  /** Default 3 × intervalMs. */
  readonly staleAfterMs?: number;
  /** Every failed probe. */
  readonly onError?: (error: unknown) => void;
  /**
   * Only when the outcome changes: the first failed probe after a success (or at start), and
   * the first success after failures. An outage is then one line in the log, not one per probe.
   */
  readonly onChange?: (change: { reachable: boolean; error?: unknown }) => void;
}

/**
 * Asks the cluster for its metadata every `intervalMs` on one long-lived admin connection, so
 * /readyz answers from memory and never waits on Kafka. Healthy means a successful answer
 * within the last `staleAfterMs`. One probe at a time: a slow probe is not overlapped.
 */
export function monitorKafkaHealth(
  kafka: Kafka,
  options: KafkaHealthOptions = {},
): KafkaHealthMonitor {
  const intervalMs = options.intervalMs ?? 10_000;
  const staleAfterMs = options.staleAfterMs ?? intervalMs * 3;
  const admin: Admin = kafka.admin();
  let connected = false;
  let lastSuccessMs = Number.NEGATIVE_INFINITY;
  let stopped = false;
  let running = false;
  let reachable: boolean | undefined;

  const report = (now: boolean, error?: unknown) => {
    if (reachable === now || stopped) return;
    // The first success at start is no news; only a change from a known state (or a failure) is.
    const isNews = reachable !== undefined || !now;
    reachable = now;
    if (isNews) options.onChange?.(now ? { reachable: true } : { reachable: false, error });
  };

  const probe = async () => {
    if (running || stopped) return;
    running = true;
    try {
      if (!connected) {
        await admin.connect();
        connected = true;
      }
      await admin.describeCluster();
      lastSuccessMs = Date.now();
      report(true);
    } catch (error) {
      options.onError?.(error);
      report(false, error);
    } finally {
      running = false;
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
