import type { Message, Producer } from 'kafkajs';

interface Waiting {
  readonly topicMessages: readonly { topic: string; messages: Message[] }[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit for produce requests: batches of different partitions, processed concurrently,
 * hand their outputs here; while one produce request is in flight the next ones accumulate and
 * go out together as a single acks=all request when it returns. Every caller's promise
 * resolves only once the request carrying its messages is acknowledged, and rejects if it
 * fails, so offsets are still resolved only after their outputs are durable.
 */
export class GroupSender {
  private waiting: Waiting[] = [];
  private inFlight = false;

  constructor(private readonly producer: Producer) {}

  send(topicMessages: readonly { topic: string; messages: Message[] }[]): Promise<void> {
    if (topicMessages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ topicMessages, resolve, reject });
      if (!this.inFlight) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight || this.waiting.length === 0) return;
    const group = this.waiting;
    this.waiting = [];
    this.inFlight = true;
    const byTopic = new Map<string, Message[]>();
    for (const w of group) {
      for (const tm of w.topicMessages) {
        const list = byTopic.get(tm.topic);
        if (list) for (const m of tm.messages) list.push(m);
        else byTopic.set(tm.topic, [...tm.messages]);
      }
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const w of group) w.resolve();
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      this.inFlight = false;
      if (this.waiting.length > 0) void this.flush();
    }
  }
}
