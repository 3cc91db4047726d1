import type { Notification, Notifier } from './types.js';

/**
 * The persistent outbox: every notification is written before it is sent, and stays until a
 * receiver accepted it. Delivery retries with exponential backoff and full jitter; the dedupe
 * key (receiver, group and the alerts' state changes) makes enqueueing idempotent, so a change
 * handed in twice (a restart between evaluation and delivery) is delivered once.
 */
export interface OutboxEntry {
  readonly id: number;
  readonly dedupeKey: string;
  readonly receiver: string;
  readonly notification: Notification;
  readonly attempts: number;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly nextAttemptAtMs: number;
  readonly createdAtMs: number;
  readonly deliveredAtMs: number | undefined;
  readonly lastError: string | undefined;
}

export interface OutboxStore {
  /** Adds the entry; false (and nothing changes) when the dedupe key is known. */
  enqueue(dedupeKey: string, notification: Notification, nowMs: number): boolean;
  due(nowMs: number, limit: number): OutboxEntry[];
  markDelivered(id: number, nowMs: number): void;
  markRetry(
    id: number,
    attempts: number,
    nextAttemptAtMs: number,
    error: string,
    giveUp: boolean,
  ): void;
  list(limit: number): OutboxEntry[];
  /** Deletes delivered and given-up entries created before `beforeMs`; returns how many. */
  purge(beforeMs: number): number;
}

export interface BackoffOptions {
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxAttempts: number;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(max, initial·2^(attempt-1))]. */
export function backoffMs(attempt: number, o: BackoffOptions, random: () => number): number {
  const cap = Math.min(o.maxBackoffMs, o.initialBackoffMs * 2 ** Math.min(attempt - 1, 30));
  return Math.max(1, Math.floor(random() * cap));
}

export interface OutboxWorkerOptions extends BackoffOptions {
  readonly store: OutboxStore;
  readonly notifiers: ReadonlyMap<string, Notifier>;
  readonly nowMs: () => number;
  readonly random: () => number;
  readonly onError?: (entry: OutboxEntry, error: unknown) => void;
}

export class OutboxWorker {
  private running: Promise<number> | undefined;

  constructor(private readonly o: OutboxWorkerOptions) {}

  /**
   * Sends every due entry once (one at a time per call; concurrent calls share one pass).
   * Resolves to the number delivered.
   */
  deliverDue(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    let delivered = 0;
    for (const entry of this.o.store.due(this.o.nowMs(), 100)) {
      const notifier = this.o.notifiers.get(entry.receiver);
      const attempts = entry.attempts + 1;
      try {
        if (!notifier) throw new Error(`no receiver named ${entry.receiver}`);
        await notifier.send(entry.notification);
        this.o.store.markDelivered(entry.id, this.o.nowMs());
        delivered++;
      } catch (error) {
        const giveUp = attempts >= this.o.maxAttempts;
        const next = this.o.nowMs() + backoffMs(attempts, this.o, this.o.random);
        this.o.store.markRetry(
          entry.id,
          attempts,
          next,
          (error as Error).message ?? String(error),
          giveUp,
        );
        this.o.onError?.(entry, error);
      }
    }
    return delivered;
  }
}
