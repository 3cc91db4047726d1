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
import { copyOut, offsetsForTimes, readPartitionList, watermarkOffsets } from './partition-list.js';

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
  /** Read each record's timestamp into `timestampMs` (one more FFI call per record). Default false. */
  readonly withTimestamps?: boolean;
  /** Read each record's headers into `headers` (one call per record, more when it has some). Default false. */
  readonly withHeaders?: boolean;
  /**
   * librdkafka's prefetch bound per partition, in KiB (`queued.max.messages.kbytes`). Default
   * librdkafka's own (65536). A reader that must hold memory bounded sets it lower: fetched
   * records wait there until `poll` takes them.
   */
  readonly queuedMaxMessagesKbytes?: number;
  /**
   * librdkafka's prefetch bound in records (`queued.min.messages`). Default librdkafka's own
   * (100000). librdkafka 2.0's fetcher, once either bound is reached, sleeps up to 1 s before it
   * looks again (2.4 added `fetch.queue.backoff.ms` for this), so a fast reader is capped at
   * about one bound's worth of records per second: raise both for throughput.
   */
  readonly queuedMinMessages?: number;
  /**
   * Join no group: read only what `assign` names (a reader of an offset range, such as the
   * feature consumer's warm-up). `groupId` is still required by librdkafka but never joined, and
   * nothing is committed unless asked. Default false (subscribe to `topics`).
   */
  readonly manualAssignment?: boolean;
  readonly logger?: Logger;
  /** TLS and SASL (see kafka/security.ts). Default: plaintext, no authentication. */
  readonly security?: KafkaSecurity;
}

/** A topic partition. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A consumed record; `value` and `key` are views into one buffer per poll. */
export interface ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Record timestamp in epoch ms (-1 when the record has none); only with `withTimestamps`. */
  readonly timestampMs?: number;
  /** Headers in record order (a null value stays null); only with `withHeaders`. */
  readonly headers?: readonly (readonly [string, Buffer | null])[];
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
  /** Out-parameters of the header calls: list pointer, name, value and size pointers. */
  private readonly scratch: PinnedBuffer = pinnedBuffer(32);
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
      ...(options.queuedMaxMessagesKbytes !== undefined
        ? { 'queued.max.messages.kbytes': String(options.queuedMaxMessagesKbytes) }
        : {}),
      ...(options.queuedMinMessages !== undefined
        ? { 'queued.min.messages': String(options.queuedMinMessages) }
        : {}),
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
    if (options.manualAssignment) return;
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

  /**
   * Takes what librdkafka has already fetched, up to `maxRecords`, without waiting and without
   * a worker thread: a reader with a backlog pays no thread hand-off per batch (on a busy
   * machine each hand-off can wait milliseconds for the scheduler). Empty when nothing is queued.
   */
  take(maxRecords = this.pointers.buffer.length / 8): ConsumedRecord[] {
    if (this.closed) return [];
    if (this.polling) throw new PipewatchError('INTERNAL', 'RdConsumer.take while poll is waiting');
    const capacity = Math.min(maxRecords, this.pointers.buffer.length / 8);
    const count = rdBinding().consumeBatchQueue(
      this.consumerQueue,
      0,
      this.pointers.address,
      capacity,
    );
    try {
      return this.collect(Math.max(0, count));
    } finally {
      this.events.serve();
    }
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

  /** How many partitions are assigned to this member (0 before the first rebalance). */
  assignedPartitions(): number {
    return this.assignment().length;
  }

  /** The partitions currently assigned to this member (by the group or by `assign`). */
  assignment(): TopicPartition[] {
    if (this.closed) return [];
    const b = rdBinding();
    if (b.assignment(this.rk, this.scratch.address) !== 0) return [];
    const list = readU64(this.scratch.buffer, 0);
    if (!list) return [];
    try {
      return readPartitionList(list).map(({ topic, partition }) => ({ topic, partition }));
    } finally {
      b.partitionListDestroy(list);
    }
  }

  /** Manual assignment (see `manualAssignment`): read these partitions from these offsets. */
  assign(offsets: readonly OffsetToCommit[]): void {
    const b = rdBinding();
    const list = offsetList(offsets);
    const err = b.assign(this.rk, list);
    b.partitionListDestroy(list);
    if (err !== 0) {
      throw new PipewatchError('INTERNAL', `assign failed: ${b.errToString(err)}`);
    }
  }

  /** See `offsetsForTimes` in partition-list.ts. */
  offsetsForTimes(
    topic: string,
    partitions: readonly number[],
    timestampMs: number,
    timeoutMs = 10_000,
  ): Promise<Map<number, number>> {
    return offsetsForTimes(this.rk, topic, partitions, timestampMs, timeoutMs);
  }

  /** Low (log start) and high (end) watermark of a partition, asked of its leader. */
  watermarkOffsets(
    topic: string,
    partition: number,
    timeoutMs = 10_000,
  ): Promise<{ low: number; high: number }> {
    return watermarkOffsets(this.rk, topic, partition, timeoutMs);
  }

  /** Records fetched by librdkafka and not yet taken by `poll` (its prefetch queue). */
  queuedRecords(): number {
    return this.closed ? 0 : rdBinding().queueLength(this.consumerQueue);
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
      const message = readU64(pointers, i * 8);
      const record: {
        -readonly [K in keyof ConsumedRecord]: ConsumedRecord[K];
      } = {
        topic: this.topicName(rkt),
        partition: headers.readInt32LE(at + messageLayout.partition),
        offset: Number(headers.readBigInt64LE(at + messageLayout.offset)),
        key,
        value,
      };
      if (this.options.withTimestamps) record.timestampMs = b.messageTimestamp(message, 0);
      if (this.options.withHeaders) record.headers = this.readHeaders(message);
      records.push(record);
      b.messageDestroy(message);
    }
    return records;
  }

  /** A message's headers, copied out (rare on data topics, so not on the batch buffer). */
  private readHeaders(message: number): readonly (readonly [string, Buffer | null])[] {
    const b = rdBinding();
    const out = this.scratch;
    if (b.messageHeaders(message, out.address) !== 0) return noHeaders;
    const list = readU64(out.buffer, 0);
    const count = b.headerCount(list);
    const result: (readonly [string, Buffer | null])[] = [];
    for (let i = 0; i < count; i++) {
      if (b.headerGetAll(list, i, out.address + 8, out.address + 16, out.address + 24) !== 0) {
        continue;
      }
      const namePointer = readU64(out.buffer, 8);
      const valuePointer = readU64(out.buffer, 16);
      const size = readU64(out.buffer, 24);
      const name = copyOut(namePointer, b.strlen(namePointer)).toString('utf8');
      result.push([name, valuePointer ? copyOut(valuePointer, size) : null]);
    }
    return result;
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

const noHeaders: readonly (readonly [string, Buffer | null])[] = Object.freeze([]);
