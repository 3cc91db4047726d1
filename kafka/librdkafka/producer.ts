import type { Logger } from 'pino';
import { PipewatchError } from '../../common/index.js';
import { librdkafkaSecurityProperties, type KafkaSecurity } from '../security.js';
import {
  callAsync,
  cString,
  messageLayout,
  newConf,
  offsetList,
  pinnedBuffer,
  rdBinding,
  rdConstants,
  takeError,
  writeU64,
  type PinnedBuffer,
} from './binding.js';
import type { OffsetToCommit, RdConsumer } from './consumer.js';
import { EventPump } from './events.js';

export interface RdProducerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Transactional id; set it to write in Kafka transactions. Implies idempotence. */
  readonly transactionalId?: string;
  /** How long librdkafka waits to fill a batch, in ms. Default 5. */
  readonly lingerMs?: number;
  /** How long a message may wait for its acknowledgement before failing, in ms. Default 120000. */
  readonly deliveryTimeoutMs?: number;
  readonly logger?: Logger;
  /** TLS and SASL (see kafka/security.ts). Default: plaintext, no authentication. */
  readonly security?: KafkaSecurity;
}

export interface OutgoingMessage {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TopicMessages {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
}

interface PendingSend {
  remaining: number;
  failure: string | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

const transactionTimeoutMs = 30_000;

/**
 * An idempotent acks=all producer on librdkafka. `send` enqueues a group of messages with one
 * FFI call per topic (librdkafka copies them) and resolves once every one is acknowledged, or
 * rejects with the first delivery error after librdkafka's own retries.
 */
export class RdProducer {
  private readonly rk: number;
  private readonly mainQueue: number;
  private readonly events: EventPump;
  private readonly topics = new Map<string, number>();
  private readonly pending = new Map<number, PendingSend>();
  private staging: PinnedBuffer = pinnedBuffer(1 << 20);
  private structs: PinnedBuffer = pinnedBuffer(1024 * messageLayout.size);
  private nextSendId = 1;
  private pump: Promise<void> | undefined;
  private fatal: string | undefined;
  private closed = false;

  constructor(options: RdProducerOptions) {
    const b = rdBinding();
    const conf = newConf({
      'bootstrap.servers': options.brokers.join(','),
      'client.id': options.clientId,
      'enable.idempotence': 'true',
      acks: 'all',
      // The Java client's partitioner, so keys land where kafkajs' default puts them.
      partitioner: 'murmur2_random',
      'linger.ms': String(options.lingerMs ?? 5),
      // A transaction must outlive its messages' delivery timeout.
      'delivery.timeout.ms': String(
        Math.min(options.deliveryTimeoutMs ?? 120_000, options.transactionalId ? 60_000 : Infinity),
      ),
      'queue.buffering.max.messages': '1000000',
      'batch.num.messages': '10000',
      'log.queue': 'true',
      log_level: options.logger?.isLevelEnabled('debug') ? '7' : '4',
      ...(options.security ? librdkafkaSecurityProperties(options.security) : {}),
      ...(options.transactionalId ? { 'transactional.id': options.transactionalId } : {}),
    });
    b.confSetEvents(
      conf,
      rdConstants.eventDeliveryReport | rdConstants.eventLog | rdConstants.eventError,
    );
    const errstr = Buffer.alloc(512);
    this.rk = b.kafkaNew(rdConstants.producer, conf, errstr, errstr.length);
    if (!this.rk) throw new PipewatchError('CONFIG_INVALID', `producer: ${cString(errstr)}`);
    this.mainQueue = b.queueGetMain(this.rk);
    b.setLogQueue(this.rk, this.mainQueue);
    this.events = new EventPump(
      this.mainQueue,
      {
        onDelivery: (sendId, err) => this.delivered(sendId, err),
        onError: (message, fatal) => {
          options.logger?.warn({ fatal }, `producer: ${message}`);
          if (fatal) this.failAll(message);
        },
      },
      options.logger,
    );
  }

  /** Enqueues the messages and resolves when all are acknowledged by every in-sync replica. */
  send(groups: readonly TopicMessages[]): Promise<void> {
    if (this.fatal) return Promise.reject(this.deliveryError(this.fatal, true));
    const total = groups.reduce((n, g) => n + g.messages.length, 0);
    if (total === 0) return Promise.resolve();
    const sendId = this.nextSendId++;
    const promise = new Promise<void>((resolve, reject) => {
      this.pending.set(sendId, { remaining: total, failure: undefined, resolve, reject });
    });
    try {
      for (const group of groups) this.enqueue(group, sendId);
    } catch (error) {
      this.pending.delete(sendId);
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    this.schedulePump();
    return promise;
  }

  async initTransactions(): Promise<void> {
    const b = rdBinding();
    this.throwIfError(await callAsync(b.initTransactions, this.rk, transactionTimeoutMs));
  }

  beginTransaction(): void {
    this.throwIfError(rdBinding().beginTransaction(this.rk));
  }

  /** Adds the consumer's next offsets to the open transaction. */
  async sendOffsetsToTransaction(
    consumer: RdConsumer,
    offsets: readonly OffsetToCommit[],
  ): Promise<void> {
    const b = rdBinding();
    const list = offsetList(offsets);
    const metadata = consumer.groupMetadata();
    try {
      this.throwIfError(
        await callAsync(b.sendOffsetsToTransaction, this.rk, list, metadata, transactionTimeoutMs),
      );
    } finally {
      b.consumerGroupMetadataDestroy(metadata);
      b.partitionListDestroy(list);
    }
  }

  async commitTransaction(): Promise<void> {
    const b = rdBinding();
    this.throwIfError(await callAsync(b.commitTransaction, this.rk, transactionTimeoutMs));
  }

  async abortTransaction(): Promise<void> {
    const b = rdBinding();
    this.throwIfError(await callAsync(b.abortTransaction, this.rk, transactionTimeoutMs));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const b = rdBinding();
    await callAsync(b.flush, this.rk, 10_000);
    // No worker may still be waiting on the queue when it is destroyed.
    while (this.pump) await this.pump;
    this.events.serve();
    this.failAll('producer closed before the message was acknowledged');
    for (const rkt of this.topics.values()) b.topicDestroy(rkt);
    b.queueDestroy(this.mainQueue);
    await callAsync(b.destroy, this.rk);
  }

  private enqueue(group: TopicMessages, sendId: number): void {
    const plain = group.messages.filter((m) => !m.headers);
    const withHeaders = group.messages.filter((m) => m.headers);
    if (plain.length > 0) this.produceBatch(group.topic, plain, sendId);
    for (const message of withHeaders) this.produceOne(group.topic, message, sendId);
  }

  /** One `rd_kafka_produce_batch` call: message structs point into a staging buffer. */
  private produceBatch(topic: string, messages: readonly OutgoingMessage[], sendId: number): void {
    const b = rdBinding();
    const keys = messages.map((m) => (typeof m.key === 'string' ? Buffer.from(m.key) : m.key));
    let bytes = 0;
    for (let i = 0; i < messages.length; i++) {
      bytes += (messages[i]!.value?.length ?? 0) + (keys[i]?.length ?? 0);
    }
    if (this.staging.buffer.length < bytes) this.staging = pinnedBuffer(bytes * 2);
    if (this.structs.buffer.length < messages.length * messageLayout.size) {
      this.structs = pinnedBuffer(messages.length * 2 * messageLayout.size);
    }
    const staging = this.staging;
    const structs = this.structs.buffer;
    structs.fill(0, 0, messages.length * messageLayout.size);
    let used = 0;
    const place = (bytesToPlace: Buffer | null | undefined, at: number, lenAt: number) => {
      if (!bytesToPlace) return;
      bytesToPlace.copy(staging.buffer, used);
      writeU64(structs, at, staging.address + used);
      writeU64(structs, lenAt, bytesToPlace.length);
      used += bytesToPlace.length;
    };
    for (let i = 0; i < messages.length; i++) {
      const at = i * messageLayout.size;
      place(messages[i]!.value, at + messageLayout.payload, at + messageLayout.len);
      place(keys[i], at + messageLayout.key, at + messageLayout.keyLen);
      writeU64(structs, at + messageLayout.opaque, sendId);
    }
    let offset = 0;
    for (let attempt = 0; offset < messages.length; attempt++) {
      const count = messages.length - offset;
      const enqueued = b.produceBatch(
        this.topic(topic),
        rdConstants.partitionUnassigned,
        rdConstants.msgFlagCopy,
        this.structs.address + offset * messageLayout.size,
        count,
      );
      if (enqueued === count) return;
      // Messages after the first refused one are refused too; only a full queue is retried.
      const firstFailed = offset + enqueued;
      const err = structs.readInt32LE(firstFailed * messageLayout.size + messageLayout.err);
      if (err !== rdConstants.errQueueFull || attempt > 1000) {
        throw this.deliveryError(`enqueue to ${topic}: ${b.errToString(err)}`);
      }
      this.events.serve();
      offset = firstFailed;
    }
  }

  /** Messages with headers (DLQ records: rare) go one by one through `rd_kafka_producev`. */
  private produceOne(topic: string, message: OutgoingMessage, sendId: number): void {
    const b = rdBinding();
    const key = typeof message.key === 'string' ? Buffer.from(message.key) : message.key;
    const args: unknown[] = [
      'int',
      rdConstants.vtypeTopic,
      'const char *',
      topic,
      'int',
      rdConstants.vtypeMsgFlags,
      'int',
      rdConstants.msgFlagCopy,
      'int',
      rdConstants.vtypeOpaque,
      'uintptr_t',
      sendId,
    ];
    if (message.value) {
      args.push(
        'int',
        rdConstants.vtypeValue,
        'void *',
        message.value,
        'size_t',
        message.value.length,
      );
    }
    if (key) args.push('int', rdConstants.vtypeKey, 'void *', key, 'size_t', key.length);
    for (const [name, value] of Object.entries(message.headers ?? {})) {
      const bytes = Buffer.from(value);
      args.push(
        'int',
        rdConstants.vtypeHeader,
        'const char *',
        name,
        'void *',
        bytes,
        'int64_t',
        bytes.length,
      );
    }
    args.push('int', rdConstants.vtypeEnd);
    for (let attempt = 0; ; attempt++) {
      const err = b.producev(this.rk, ...args);
      if (err === 0) return;
      if (err !== rdConstants.errQueueFull || attempt > 1000) {
        throw this.deliveryError(`enqueue to ${topic}: ${b.errToString(err)}`);
      }
      this.events.serve();
    }
  }

  private topic(name: string): number {
    let rkt = this.topics.get(name);
    if (rkt === undefined) {
      rkt = rdBinding().topicNew(this.rk, name, 0);
      this.topics.set(name, rkt);
    }
    return rkt;
  }

  private delivered(sendId: number, err: number): void {
    const send = this.pending.get(sendId);
    if (!send) return;
    if (err !== 0 && send.failure === undefined) send.failure = rdBinding().errToString(err);
    send.remaining--;
    if (send.remaining > 0) return;
    this.pending.delete(sendId);
    if (send.failure === undefined) send.resolve();
    else send.reject(this.deliveryError(send.failure));
  }

  /**
   * Delivery reports arrive on librdkafka's queue; while anything is in flight one wait on a
   * worker thread picks them up as soon as they land.
   */
  private schedulePump(): void {
    if (this.pump || this.closed) return;
    this.pump = this.events
      .serveWhenReady(100)
      .then(
        () => undefined,
        (error: unknown) => this.failAll(`event queue: ${(error as Error).message}`),
      )
      .finally(() => {
        this.pump = undefined;
        if (this.pending.size > 0) this.schedulePump();
      });
  }

  private failAll(message: string): void {
    this.fatal ??= this.closed ? undefined : message;
    for (const [sendId, send] of this.pending) {
      this.pending.delete(sendId);
      send.reject(this.deliveryError(message, this.fatal !== undefined));
    }
  }

  private deliveryError(message: string, fatal = false): PipewatchError {
    return new PipewatchError('KAFKA_DELIVERY_FAILED', message, fatal ? { fatal } : {});
  }

  private throwIfError(error: number): void {
    const taken = takeError(error);
    if (taken) {
      throw new PipewatchError('KAFKA_DELIVERY_FAILED', taken.message, {
        fatal: taken.fatal,
        abortable: taken.abortable,
      });
    }
  }
}
