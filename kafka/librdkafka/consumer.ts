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
  readU64,
  type PinnedBuffer,
} from './binding.js';
import { EventPump } from './events.js';

export interface RdConsumerOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group without committed offsets starts. Default `earliest`. */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  /** How long a silent member keeps its partitions, in ms. Default 30000. */
  readonly sessionTimeoutMs?: number;
  /** Max bytes fetched per partition per request. Default 1048576. */
  readonly maxPartitionFetchBytes?: number;
  /**
   * Longest a fetch waits on the broker for data, in ms. Default 100: the feature pipeline
   * cares about freshness, and librdkafka's mock broker holds an empty fetch for the whole wait
   * even when data arrives meanwhile (librdkafka's own default is 500).
   */
  readonly fetchWaitMaxMs?: number;
  /** Only see committed transactions. Default true (librdkafka's default). */
  readonly readCommitted?: boolean;
  /** Most records one `poll` returns. Default 5000. */
  readonly maxBatchRecords?: number;
  readonly logger?: Logger;
  /** TLS and SASL (see kafka/security.ts). Default: plaintext, no authentication. */
  readonly security?: KafkaSecurity;
}

/** A consumed record; `value` and `key` are views into one buffer per poll. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface OffsetToCommit {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read (last processed + 1). */
  readonly offset: number;
}

/**
 * A group consumer on librdkafka. `poll` waits on a worker thread and copies a whole batch of
 * messages into one Buffer with a few integer-only FFI calls per message, so the Node thread
 * spends well under a microsecond per record on I/O (see bench/pipeline.bench.ts). Offsets are
 * only committed when asked: the caller decides when outputs are safe.
 */
export class RdConsumer {
  private readonly rk: number;
  private readonly consumerQueue: number;
  private readonly mainQueue: number;
  private readonly events: EventPump;
  private readonly pointers: PinnedBuffer;
  private readonly headers: PinnedBuffer;
  private readonly topicNames = new Map<number, string>();
  private polling: Promise<ConsumedRecord[]> | undefined;
  private closed = false;
  /** Errors librdkafka reported since the last call to takeErrors. */
  private errors: string[] = [];

  constructor(private readonly options: RdConsumerOptions) {
    const b = rdBinding();
    const conf = newConf({
      'bootstrap.servers': options.brokers.join(','),
      'client.id': options.clientId,
      'group.id': options.groupId,
      'enable.auto.commit': 'false',
      'enable.auto.offset.store': 'false',
      'auto.offset.reset': options.autoOffsetReset ?? 'earliest',
      'session.timeout.ms': String(options.sessionTimeoutMs ?? 30_000),
      'heartbeat.interval.ms': String(
        Math.max(100, Math.floor((options.sessionTimeoutMs ?? 30_000) / 10)),
      ),
      'max.partition.fetch.bytes': String(options.maxPartitionFetchBytes ?? 1_048_576),
      'fetch.wait.max.ms': String(options.fetchWaitMaxMs ?? 100),
      'isolation.level': options.readCommitted === false ? 'read_uncommitted' : 'read_committed',
      'log.queue': 'true',
      log_level: options.logger?.isLevelEnabled('debug') ? '7' : '4',
      ...(options.security ? librdkafkaSecurityProperties(options.security) : {}),
    });
    b.confSetEvents(
      conf,
      rdConstants.eventLog | rdConstants.eventError | rdConstants.eventOffsetCommit,
    );
    const errstr = Buffer.alloc(512);
    this.rk = b.kafkaNew(rdConstants.consumer, conf, errstr, errstr.length);
    if (!this.rk) {
      throw new PipewatchError('CONFIG_INVALID', `consumer: ${cString(errstr)}`);
    }
    this.mainQueue = b.queueGetMain(this.rk);
    b.setLogQueue(this.rk, this.mainQueue);
    this.consumerQueue = b.queueGetConsumer(this.rk);
    this.events = new EventPump(
      this.mainQueue,
      {
        onError: (message) => this.errors.push(message),
        onCommit: (code, message) => {
          if (code !== 0 && code !== rdConstants.errNoOffset) {
            options.logger?.warn({ groupId: options.groupId }, `offset commit failed: ${message}`);
          }
        },
      },
      options.logger,
    );
    const capacity = options.maxBatchRecords ?? 5000;
    this.pointers = pinnedBuffer(capacity * 8);
    this.headers = pinnedBuffer(capacity * messageLayout.size);
    const list = b.partitionListNew(options.topics.length);
    for (const topic of options.topics) b.partitionListAdd(list, topic, -1);
    const err = b.subscribe(this.rk, list);
    b.partitionListDestroy(list);
    if (err !== 0) {
      throw new PipewatchError('INTERNAL', `subscribe failed: ${b.errToString(err)}`);
    }
  }

  /**
   * Waits up to `timeoutMs` for the first record, then takes whatever else is already fetched,
   * up to `maxRecords` (default: the configured batch size): batches grow with the backlog and
   * a quiet topic adds no latency. One poll at a time; an empty array means nothing arrived.
   */
  poll(timeoutMs: number, maxRecords = this.pointers.buffer.length / 8): Promise<ConsumedRecord[]> {
    if (this.closed) return Promise.resolve([]);
    if (this.polling) throw new PipewatchError('INTERNAL', 'RdConsumer.poll is already waiting');
    const capacity = Math.min(maxRecords, this.pointers.buffer.length / 8);
    const b = rdBinding();
    this.polling = callAsync(
      b.consumeBatchQueue,
      this.consumerQueue,
      timeoutMs,
      this.pointers.address,
      1,
    )
      .then((first) => {
        if (first <= 0 || capacity === 1) return this.collect(Math.max(0, first));
        const rest = b.consumeBatchQueue(
          this.consumerQueue,
          0,
          this.pointers.address + 8,
          capacity - 1,
        );
        return this.collect(1 + Math.max(0, rest));
      })
      .finally(() => {
        this.polling = undefined;
        this.events.serve();
      });
    return this.polling;
  }

  /** Commits offsets asynchronously; a failure is logged (the next commit covers it). */
  commit(offsets: readonly OffsetToCommit[]): void {
    if (offsets.length === 0 || this.closed) return;
    const b = rdBinding();
    const list = offsetList(offsets);
    const err = b.commit(this.rk, list, 1);
    b.partitionListDestroy(list);
    if (err !== 0) {
      this.options.logger?.warn({ err: b.errToName(err) }, 'offset commit not sent');
    }
  }

  /** Commits and waits for the broker's answer. */
  async commitSync(offsets: readonly OffsetToCommit[]): Promise<void> {
    if (offsets.length === 0 || this.closed) return;
    const b = rdBinding();
    const list = offsetList(offsets);
    try {
      const err = await callAsync(b.commit, this.rk, list, 0);
      if (err !== 0 && err !== rdConstants.errNoOffset) {
        this.options.logger?.warn({ err: b.errToName(err) }, 'final offset commit failed');
      }
    } finally {
      b.partitionListDestroy(list);
    }
  }

  /** `rd_kafka_consumer_group_metadata` for transactional offset commits; free with the binding. */
  groupMetadata(): number {
    return rdBinding().consumerGroupMetadata(this.rk);
  }

  /** Errors librdkafka reported (broker down, ...) since the last call. */
  takeErrors(): string[] {
    this.events.serve();
    const errors = this.errors;
    this.errors = [];
    return errors;
  }

  /** Leaves the group (no commit) and frees the client. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.polling?.catch(() => undefined);
    const b = rdBinding();
    await callAsync(b.consumerClose, this.rk);
    this.events.serve();
    b.queueDestroy(this.consumerQueue);
    b.queueDestroy(this.mainQueue);
    await callAsync(b.destroy, this.rk);
  }

  private collect(count: number): ConsumedRecord[] {
    if (count <= 0) return [];
    const b = rdBinding();
    const headers = this.headers.buffer;
    const pointers = this.pointers.buffer;
    let bytes = 0;
    for (let i = 0; i < count; i++) {
      b.copy(
        this.headers.address + i * messageLayout.size,
        readU64(pointers, i * 8),
        messageLayout.size,
      );
      const at = i * messageLayout.size;
      bytes +=
        readU64(headers, at + messageLayout.len) + readU64(headers, at + messageLayout.keyLen);
    }
    const data = pinnedBuffer(bytes);
    const records: ConsumedRecord[] = [];
    let used = 0;
    const take = (address: number, length: number): Buffer | null => {
      if (!address) return null;
      b.copy(data.address + used, address, length);
      used += length;
      return data.buffer.subarray(used - length, used);
    };
    for (let i = 0; i < count; i++) {
      const at = i * messageLayout.size;
      const err = headers.readInt32LE(at + messageLayout.err);
      const rkt = readU64(headers, at + messageLayout.rkt);
      if (err !== 0) {
        // An error travelling as a message (e.g. a partition that cannot be fetched).
        if (err !== rdConstants.errPartitionEof) this.errors.push(b.errToString(err));
        b.messageDestroy(readU64(pointers, i * 8));
        continue;
      }
      const value = take(
        readU64(headers, at + messageLayout.payload),
        readU64(headers, at + messageLayout.len),
      );
      const key = take(
        readU64(headers, at + messageLayout.key),
        readU64(headers, at + messageLayout.keyLen),
      );
      records.push({
        topic: this.topicName(rkt),
        partition: headers.readInt32LE(at + messageLayout.partition),
        offset: Number(headers.readBigInt64LE(at + messageLayout.offset)),
        key,
        value,
      });
      b.messageDestroy(readU64(pointers, i * 8));
    }
    return records;
  }

  private topicName(rkt: number): string {
    let name = this.topicNames.get(rkt);
    if (name === undefined) {
      name = rdBinding().topicName(rkt);
      this.topicNames.set(rkt, name);
    }
    return name;
  }
}
