import type { Logger } from 'pino';
import {
  asError,
  messageLayout,
  pinnedBuffer,
  rdBinding,
  rdConstants,
  readU64,
} from './binding.js';

export interface EventHandlers {
  /** One call per delivery report: the message's opaque (a number we chose) and its error. */
  onDelivery?(opaque: number, errorCode: number): void;
  onError?(message: string, fatal: boolean): void;
  onCommit?(errorCode: number, message: string): void;
}

const syslogLevels = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'] as const;

/**
 * Drains a client's main queue (delivery reports, logs, errors, commit results) without
 * blocking. librdkafka only queues these; nothing happens to them until someone polls.
 */
export class EventPump {
  private readonly scratch = pinnedBuffer(messageLayout.size);
  private readonly pointers = pinnedBuffer(8 * 1024);

  constructor(
    private readonly queue: number,
    private readonly handlers: EventHandlers,
    private readonly logger: Logger | undefined,
  ) {}

  /** Serves every queued event; returns how many there were. */
  serve(): number {
    const b = rdBinding();
    let served = 0;
    for (;;) {
      const event = b.queuePoll(this.queue, 0);
      if (!event) return served;
      served++;
      try {
        this.dispatch(event);
      } finally {
        b.eventDestroy(event);
      }
    }
  }

  /**
   * Waits on a worker thread up to `timeoutMs` for the next event, serves it and everything
   * queued behind it. Resolves with the number served (0 on timeout).
   */
  serveWhenReady(timeoutMs: number): Promise<number> {
    const b = rdBinding();
    return new Promise((resolve, reject) => {
      b.queuePoll.async(this.queue, timeoutMs, (error: unknown, event: number) => {
        if (error) {
          reject(asError(error));
          return;
        }
        if (!event) {
          resolve(0);
          return;
        }
        try {
          this.dispatch(event);
        } finally {
          b.eventDestroy(event);
        }
        resolve(1 + this.serve());
      });
    });
  }

  private dispatch(event: number): void {
    const b = rdBinding();
    switch (b.eventType(event)) {
      case rdConstants.eventDeliveryReport:
        this.deliveries(event);
        return;
      case rdConstants.eventLog: {
        const fac: [string | null] = [null];
        const str: [string | null] = [null];
        const level: [number] = [6];
        if (b.eventLog(event, fac, str, level) === 0) {
          const name = syslogLevels[level[0]] ?? 'debug';
          this.logger?.[name]({ librdkafka: fac[0] }, str[0] ?? '');
        }
        return;
      }
      case rdConstants.eventError:
        this.handlers.onError?.(b.eventErrorString(event), b.eventErrorIsFatal(event) !== 0);
        return;
      case rdConstants.eventOffsetCommit:
        this.handlers.onCommit?.(b.eventError(event), b.eventErrorString(event) ?? '');
        return;
      default:
        return;
    }
  }

  private deliveries(event: number): void {
    const b = rdBinding();
    const handlers = this.handlers;
    if (!handlers.onDelivery) return;
    const capacity = this.pointers.buffer.length / 8;
    // An event carries at most one produce request's messages; read them in slices.
    for (;;) {
      const count = b.eventMessageArray(event, this.pointers.address, capacity);
      for (let i = 0; i < count; i++) {
        b.copy(this.scratch.address, readU64(this.pointers.buffer, i * 8), messageLayout.size);
        const err = this.scratch.buffer.readInt32LE(messageLayout.err);
        handlers.onDelivery(readU64(this.scratch.buffer, messageLayout.opaque), err);
      }
      if (count < capacity) return;
    }
  }
}
