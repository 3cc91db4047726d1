import koffi from 'koffi';
import { PipewatchError } from '../../common/index.js';
import { isSecretLibrdkafkaProperty } from '../security.js';

/**
 * librdkafka's C API through FFI (Debian's librdkafka1, the same library that hosts the mock
 * cluster). Every hot-path function takes and returns plain integers (addresses as numbers):
 * koffi marshals a JS Buffer argument in ~0.8 µs but an integer in ~0.18 µs, and a consumer
 * touches each message four times. Buffers we hand to C are allocated once and addressed by
 * `addressOf`; their backing stores live off the V8 heap and never move.
 */

/**
 * `rd_kafka_topic_partition_list_t` (`int cnt, size; elems *`) and its elements
 * (`rd_kafka_topic_partition_t`) on 64-bit Linux: field offsets in bytes.
 */
export const partitionListLayout = {
  cnt: 0,
  elems: 8,
  elemSize: 64,
  topic: 0,
  partition: 8,
  offset: 16,
  err: 48,
} as const;

/** `rd_kafka_message_t` on 64-bit Linux: field offsets in bytes. */
export const messageLayout = {
  size: 72,
  err: 0,
  rkt: 8,
  partition: 16,
  payload: 24,
  len: 32,
  key: 40,
  keyLen: 48,
  offset: 56,
  opaque: 64,
} as const;

export const rdConstants = {
  producer: 0,
  consumer: 1,
  partitionUnassigned: -1,
  msgFlagCopy: 0x2,
  eventDeliveryReport: 0x1,
  eventLog: 0x4,
  eventError: 0x8,
  eventOffsetCommit: 0x20,
  errQueueFull: -184,
  errPartitionEof: -191,
  errNoOffset: -168,
  vtypeEnd: 0,
  vtypeTopic: 1,
  vtypeValue: 4,
  vtypeKey: 5,
  vtypeOpaque: 6,
  vtypeMsgFlags: 7,
  vtypeHeader: 9,
} as const;

type Address = number;
type AsyncCallback<T> = (error: unknown, result: T) => void;
interface AsyncFn<Args extends unknown[], R> {
  (...args: Args): R;
  async(...args: [...Args, AsyncCallback<R>]): void;
}

export interface RdBinding {
  confNew: () => Address;
  confSet: (conf: Address, name: string, value: string, errstr: Buffer, size: number) => number;
  confSetEvents: (conf: Address, events: number) => void;
  kafkaNew: (type: number, conf: Address, errstr: Buffer, size: number) => Address;
  destroy: AsyncFn<[rk: Address], void>;
  queueGetMain: (rk: Address) => Address;
  queueGetConsumer: (rk: Address) => Address;
  queueDestroy: (q: Address) => void;
  queuePoll: AsyncFn<[q: Address, timeoutMs: number], Address>;
  setLogQueue: (rk: Address, q: Address) => number;
  eventType: (ev: Address) => number;
  eventDestroy: (ev: Address) => void;
  eventMessageArray: (ev: Address, out: Address, size: number) => number;
  eventError: (ev: Address) => number;
  eventErrorString: (ev: Address) => string;
  eventErrorIsFatal: (ev: Address) => number;
  eventLog: (ev: Address, fac: [string | null], str: [string | null], level: [number]) => number;
  subscribe: (rk: Address, topics: Address) => number;
  consumeBatchQueue: AsyncFn<[q: Address, timeoutMs: number, out: Address, size: number], number>;
  messageDestroy: (message: Address) => void;
  /** Record timestamp in epoch ms (-1 when absent); the type pointer may be 0. */
  messageTimestamp: (message: Address, tstype: Address) => number;
  /** Writes the message's header list pointer to `out`; `__NOENT` (-156) when it has none. */
  messageHeaders: (message: Address, out: Address) => number;
  headerCount: (headers: Address) => number;
  /** Writes name, value and size pointers of header `idx` to the three out addresses. */
  headerGetAll: (
    headers: Address,
    idx: number,
    nameOut: Address,
    valueOut: Address,
    sizeOut: Address,
  ) => number;
  queueLength: (q: Address) => number;
  /** Writes the current assignment (a partition list to destroy) to `out`. */
  assignment: (rk: Address, out: Address) => number;
  /** Replaces the assignment (manual assignment, no group membership); 0 = no error. */
  assign: (rk: Address, partitions: Address) => number;
  /** ListOffsets by timestamp: each element's offset goes in as a timestamp, comes out an offset. */
  offsetsForTimes: AsyncFn<[rk: Address, offsets: Address, timeoutMs: number], number>;
  /** Low and high watermark of one partition, written to the two int64 out addresses. */
  queryWatermarkOffsets: AsyncFn<
    [rk: Address, topic: string, partition: number, low: Address, high: Address, timeoutMs: number],
    number
  >;
  strlen: (s: Address) => number;
  topicName: (rkt: Address) => string;
  topicNew: (rk: Address, name: string, conf: Address) => Address;
  topicDestroy: (rkt: Address) => void;
  produceBatch: (
    rkt: Address,
    partition: number,
    flags: number,
    messages: Address,
    count: number,
  ) => number;
  producev: (rk: Address, ...typedArgs: unknown[]) => number;
  outqLen: (rk: Address) => number;
  flush: AsyncFn<[rk: Address, timeoutMs: number], number>;
  partitionListNew: (size: number) => Address;
  partitionListAdd: (list: Address, topic: string, partition: number) => Address;
  partitionListSetOffset: (
    list: Address,
    topic: string,
    partition: number,
    offset: number,
  ) => number;
  partitionListDestroy: (list: Address) => void;
  commit: AsyncFn<[rk: Address, offsets: Address, async: number], number>;
  consumerClose: AsyncFn<[rk: Address], number>;
  consumerGroupMetadata: (rk: Address) => Address;
  consumerGroupMetadataDestroy: (md: Address) => void;
  initTransactions: AsyncFn<[rk: Address, timeoutMs: number], Address>;
  beginTransaction: (rk: Address) => Address;
  sendOffsetsToTransaction: AsyncFn<
    [rk: Address, offsets: Address, md: Address, timeoutMs: number],
    Address
  >;
  commitTransaction: AsyncFn<[rk: Address, timeoutMs: number], Address>;
  abortTransaction: AsyncFn<[rk: Address, timeoutMs: number], Address>;
  errorString: (error: Address) => string;
  errorIsFatal: (error: Address) => number;
  errorTxnRequiresAbort: (error: Address) => number;
  errorDestroy: (error: Address) => void;
  errToName: (err: number) => string;
  errToString: (err: number) => string;
  /** memcpy between two addresses. */
  copy: (dst: Address, src: Address, n: number) => Address;
  /** The address of a Buffer's first byte (memcpy of 0 bytes returns its destination). */
  addressOf: (buffer: Buffer, same: Buffer, zero: number) => Address;
}

let lib: koffi.IKoffiLib | undefined;
let binding: RdBinding | undefined;

/** Loads librdkafka.so.1 once for the process: the mock cluster and the clients share it. */
export function loadLibrdkafka(): koffi.IKoffiLib {
  if (lib) return lib;
  try {
    lib = koffi.load('librdkafka.so.1');
  } catch (error) {
    throw new PipewatchError(
      'MOCK_CLUSTER_UNAVAILABLE',
      'cannot load librdkafka.so.1; install it with `bash scripts/setup.sh` ' +
        '(Debian package librdkafka1)',
      {},
      { cause: error },
    );
  }
  return lib;
}

/** The client functions, declared on first use. */
export function rdBinding(): RdBinding {
  if (binding) return binding;
  const rd = loadLibrdkafka();
  const libc = koffi.load('libc.so.6');
  const f = (decl: string) => rd.func(decl) as never;
  const errOut = 'uintptr_t';
  binding = {
    confNew: f('uintptr_t rd_kafka_conf_new(void)'),
    confSet: f(
      'int rd_kafka_conf_set(uintptr_t conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t size)',
    ),
    confSetEvents: f('void rd_kafka_conf_set_events(uintptr_t conf, int events)'),
    kafkaNew: f(
      'uintptr_t rd_kafka_new(int type, uintptr_t conf, _Out_ uint8_t *errstr, size_t size)',
    ),
    destroy: f('void rd_kafka_destroy(uintptr_t rk)'),
    queueGetMain: f('uintptr_t rd_kafka_queue_get_main(uintptr_t rk)'),
    queueGetConsumer: f('uintptr_t rd_kafka_queue_get_consumer(uintptr_t rk)'),
    queueDestroy: f('void rd_kafka_queue_destroy(uintptr_t q)'),
    queuePoll: f('uintptr_t rd_kafka_queue_poll(uintptr_t q, int timeout_ms)'),
    setLogQueue: f('int rd_kafka_set_log_queue(uintptr_t rk, uintptr_t q)'),
    eventType: f('int rd_kafka_event_type(uintptr_t ev)'),
    eventDestroy: f('void rd_kafka_event_destroy(uintptr_t ev)'),
    eventMessageArray: f(
      'size_t rd_kafka_event_message_array(uintptr_t ev, uintptr_t out, size_t size)',
    ),
    eventError: f('int rd_kafka_event_error(uintptr_t ev)'),
    eventErrorString: f('const char *rd_kafka_event_error_string(uintptr_t ev)'),
    eventErrorIsFatal: f('int rd_kafka_event_error_is_fatal(uintptr_t ev)'),
    eventLog: f(
      'int rd_kafka_event_log(uintptr_t ev, _Out_ const char **fac, _Out_ const char **str, _Out_ int *level)',
    ),
    subscribe: f('int rd_kafka_subscribe(uintptr_t rk, uintptr_t topics)'),
    consumeBatchQueue: f(
      'int64_t rd_kafka_consume_batch_queue(uintptr_t q, int timeout_ms, uintptr_t out, size_t size)',
    ),
    messageDestroy: f('void rd_kafka_message_destroy(uintptr_t message)'),
    messageTimestamp: f('int64_t rd_kafka_message_timestamp(uintptr_t message, uintptr_t tstype)'),
    messageHeaders: f('int rd_kafka_message_headers(uintptr_t message, uintptr_t hdrsp)'),
    headerCount: f('size_t rd_kafka_header_cnt(uintptr_t hdrs)'),
    headerGetAll: f(
      'int rd_kafka_header_get_all(uintptr_t hdrs, size_t idx, uintptr_t namep, uintptr_t valuep, uintptr_t sizep)',
    ),
    queueLength: f('size_t rd_kafka_queue_length(uintptr_t q)'),
    assignment: f('int rd_kafka_assignment(uintptr_t rk, uintptr_t out)'),
    assign: f('int rd_kafka_assign(uintptr_t rk, uintptr_t partitions)'),
    offsetsForTimes: f(
      'int rd_kafka_offsets_for_times(uintptr_t rk, uintptr_t offsets, int timeout_ms)',
    ),
    queryWatermarkOffsets: f(
      'int rd_kafka_query_watermark_offsets(uintptr_t rk, const char *topic, int32_t partition, uintptr_t low, uintptr_t high, int timeout_ms)',
    ),
    topicName: f('const char *rd_kafka_topic_name(uintptr_t rkt)'),
    topicNew: f('uintptr_t rd_kafka_topic_new(uintptr_t rk, const char *name, uintptr_t conf)'),
    topicDestroy: f('void rd_kafka_topic_destroy(uintptr_t rkt)'),
    produceBatch: f(
      'int rd_kafka_produce_batch(uintptr_t rkt, int32_t partition, int flags, uintptr_t messages, int count)',
    ),
    producev: f('int rd_kafka_producev(uintptr_t rk, ...)'),
    outqLen: f('int rd_kafka_outq_len(uintptr_t rk)'),
    flush: f('int rd_kafka_flush(uintptr_t rk, int timeout_ms)'),
    partitionListNew: f('uintptr_t rd_kafka_topic_partition_list_new(int size)'),
    partitionListAdd: f(
      'uintptr_t rd_kafka_topic_partition_list_add(uintptr_t list, const char *topic, int32_t partition)',
    ),
    partitionListSetOffset: f(
      'int rd_kafka_topic_partition_list_set_offset(uintptr_t list, const char *topic, int32_t partition, int64_t offset)',
    ),
    partitionListDestroy: f('void rd_kafka_topic_partition_list_destroy(uintptr_t list)'),
    commit: f('int rd_kafka_commit(uintptr_t rk, uintptr_t offsets, int async)'),
    consumerClose: f('int rd_kafka_consumer_close(uintptr_t rk)'),
    consumerGroupMetadata: f('uintptr_t rd_kafka_consumer_group_metadata(uintptr_t rk)'),
    consumerGroupMetadataDestroy: f('void rd_kafka_consumer_group_metadata_destroy(uintptr_t md)'),
    initTransactions: f(`${errOut} rd_kafka_init_transactions(uintptr_t rk, int timeout_ms)`),
    beginTransaction: f(`${errOut} rd_kafka_begin_transaction(uintptr_t rk)`),
    sendOffsetsToTransaction: f(
      `${errOut} rd_kafka_send_offsets_to_transaction(uintptr_t rk, uintptr_t offsets, uintptr_t md, int timeout_ms)`,
    ),
    commitTransaction: f(`${errOut} rd_kafka_commit_transaction(uintptr_t rk, int timeout_ms)`),
    abortTransaction: f(`${errOut} rd_kafka_abort_transaction(uintptr_t rk, int timeout_ms)`),
    errorString: f('const char *rd_kafka_error_string(uintptr_t error)'),
    errorIsFatal: f('int rd_kafka_error_is_fatal(uintptr_t error)'),
    errorTxnRequiresAbort: f('int rd_kafka_error_txn_requires_abort(uintptr_t error)'),
    errorDestroy: f('void rd_kafka_error_destroy(uintptr_t error)'),
    errToName: f('const char *rd_kafka_err2name(int err)'),
    errToString: f('const char *rd_kafka_err2str(int err)'),
    strlen: libc.func('strlen', 'size_t', ['uintptr_t']) as never,
    copy: libc.func('memcpy', 'uintptr_t', ['uintptr_t', 'uintptr_t', 'size_t']) as never,
    addressOf: libc.func('memcpy', 'uintptr_t', ['void *', 'void *', 'size_t']) as never,
  };
  return binding;
}

/** A Buffer with its own backing store and its address, for C to read or write. */
export interface PinnedBuffer {
  readonly buffer: Buffer;
  readonly address: number;
}

export function pinnedBuffer(size: number): PinnedBuffer {
  const buffer = Buffer.allocUnsafeSlow(Math.max(8, size));
  const b = rdBinding();
  return { buffer, address: b.addressOf(buffer, buffer, 0) };
}

/** Reads a little-endian 64-bit unsigned value that fits a double (addresses, sizes). */
export function readU64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32LE(offset) + buffer.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

export function writeU64(buffer: Buffer, offset: number, value: number): void {
  buffer.writeUInt32LE(value % 0x1_0000_0000, offset);
  buffer.writeUInt32LE(Math.floor(value / 0x1_0000_0000), offset + 4);
}

/** Sets librdkafka configuration properties; a refused one throws naming the property. */
export function newConf(properties: Readonly<Record<string, string>>): number {
  const b = rdBinding();
  const conf = b.confNew();
  const errstr = Buffer.alloc(512);
  for (const [name, value] of Object.entries(properties)) {
    if (b.confSet(conf, name, value, errstr, errstr.length) !== 0) {
      throw new PipewatchError(
        'CONFIG_INVALID',
        // A secret's value stays out of the message (it reaches logs and API answers).
        `librdkafka property ${name}=${isSecretLibrdkafkaProperty(name) ? '[redacted]' : value}: ${cString(errstr)}`,
        { key: name },
      );
    }
  }
  return conf;
}

export function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end < 0 ? buffer.length : end);
}

/** Calls an async (worker-thread) librdkafka function and resolves with its result. */
export function callAsync<Args extends unknown[], R>(
  fn: AsyncFn<Args, R>,
  ...args: Args
): Promise<R> {
  return new Promise<R>((resolve, reject) => {
    fn.async(...args, (error: unknown, result: R) =>
      error ? reject(asError(error)) : resolve(result),
    );
  });
}

/** Reads and frees an `rd_kafka_error_t *` (0 = no error). */
export function takeError(
  error: number,
): { message: string; fatal: boolean; abortable: boolean } | undefined {
  if (!error) return undefined;
  const b = rdBinding();
  const result = {
    message: b.errorString(error),
    fatal: b.errorIsFatal(error) !== 0,
    abortable: b.errorTxnRequiresAbort(error) !== 0,
  };
  b.errorDestroy(error);
  return result;
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** A `rd_kafka_topic_partition_list_t` of next offsets; free it with `partitionListDestroy`. */
export function offsetList(
  offsets: readonly { topic: string; partition: number; offset: number }[],
): number {
  const b = rdBinding();
  const list = b.partitionListNew(offsets.length);
  for (const o of offsets) {
    b.partitionListAdd(list, o.topic, o.partition);
    b.partitionListSetOffset(list, o.topic, o.partition, o.offset);
  }
  return list;
}
