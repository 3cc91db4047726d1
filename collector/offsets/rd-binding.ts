/**
 * The few librdkafka functions the record reader needs, declared here through koffi: kafka/
 * exports its clients but not its raw binding, and a point reader (assign at offsets, read one
 * record's timestamp) is not one of its clients. `dlopen` shares the one loaded library.
 */
import koffi from 'koffi';
import { isSecretLibrdkafkaProperty } from '../../kafka/index.js';
import { PipewatchError } from '../../common/index.js';

type AsyncFn<A extends unknown[], R> = ((...args: A) => R) & {
  async(...args: [...A, (err: unknown, result: R) => void]): void;
};

export interface ReaderBinding {
  confNew: () => number;
  confSet: (conf: number, name: string, value: string, errstr: Buffer, size: number) => number;
  kafkaNew: (type: number, conf: number, errstr: Buffer, size: number) => number;
  destroy: AsyncFn<[rk: number], void>;
  consumerClose: AsyncFn<[rk: number], number>;
  assign: (rk: number, list: number) => number;
  listNew: (size: number) => number;
  listAdd: (list: number, topic: string, partition: number) => number;
  listSetOffset: (list: number, topic: string, partition: number, offset: number) => number;
  listDestroy: (list: number) => void;
  queueGetConsumer: (rk: number) => number;
  queueDestroy: (q: number) => void;
  /** Fills `out` with up to `size` message pointers; returns how many (or -1). */
  consumeBatch: AsyncFn<[q: number, timeoutMs: number, out: Buffer, size: number], number | bigint>;
  timestamp: (msg: number, type: null) => number | bigint;
  destroyMessage: (msg: number) => void;
  /** Copies `n` bytes at address `src` into `dst`. */
  copyOut: (dst: Buffer, src: number, n: number) => unknown;
  topicName: (rkt: number) => string;
  errToName: (err: number) => string;
  messageType: koffi.IKoffiCType;
}

let cached: ReaderBinding | undefined;

export function readerBinding(): ReaderBinding {
  if (cached) return cached;
  let lib: koffi.IKoffiLib;
  try {
    lib = koffi.load('librdkafka.so.1');
  } catch (error) {
    throw new PipewatchError(
      'MOCK_CLUSTER_UNAVAILABLE',
      'cannot load librdkafka.so.1 (Debian package librdkafka1) for the lag record reader',
      {},
      { cause: error },
    );
  }
  // rd_kafka_message_t; koffi computes the field offsets from the C types.
  const messageType = koffi.struct('pipewatch_lag_rd_message', {
    err: 'int',
    rkt: 'uintptr_t',
    partition: 'int32_t',
    payload: 'uintptr_t',
    len: 'size_t',
    key: 'uintptr_t',
    key_len: 'size_t',
    offset: 'int64_t',
    private_: 'uintptr_t',
  });
  const f = (decl: string) => lib.func(decl) as never;
  const libc = koffi.load('libc.so.6');
  cached = {
    confNew: f('uintptr_t rd_kafka_conf_new(void)'),
    confSet: f(
      'int rd_kafka_conf_set(uintptr_t conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t size)',
    ),
    kafkaNew: f(
      'uintptr_t rd_kafka_new(int type, uintptr_t conf, _Out_ uint8_t *errstr, size_t size)',
    ),
    destroy: f('void rd_kafka_destroy(uintptr_t rk)'),
    consumerClose: f('int rd_kafka_consumer_close(uintptr_t rk)'),
    assign: f('int rd_kafka_assign(uintptr_t rk, uintptr_t partitions)'),
    listNew: f('uintptr_t rd_kafka_topic_partition_list_new(int size)'),
    listAdd: f(
      'uintptr_t rd_kafka_topic_partition_list_add(uintptr_t list, const char *topic, int32_t partition)',
    ),
    listSetOffset: f(
      'int rd_kafka_topic_partition_list_set_offset(uintptr_t list, const char *topic, int32_t partition, int64_t offset)',
    ),
    listDestroy: f('void rd_kafka_topic_partition_list_destroy(uintptr_t list)'),
    queueGetConsumer: f('uintptr_t rd_kafka_queue_get_consumer(uintptr_t rk)'),
    queueDestroy: f('void rd_kafka_queue_destroy(uintptr_t q)'),
    consumeBatch: f(
      'int64_t rd_kafka_consume_batch_queue(uintptr_t q, int timeout_ms, _Out_ uint8_t *out, size_t size)',
    ),
    timestamp: f('int64_t rd_kafka_message_timestamp(uintptr_t msg, void *tstype)'),
    destroyMessage: f('void rd_kafka_message_destroy(uintptr_t msg)'),
    copyOut: libc.func('void *memcpy(_Out_ uint8_t *dst, uintptr_t src, size_t n)') as never,
    topicName: f('const char *rd_kafka_topic_name(uintptr_t rkt)'),
    errToName: f('const char *rd_kafka_err2name(int err)'),
    messageType,
  };
  return cached;
}

/** A librdkafka consumer handle from properties; a refused property throws naming it. */
export function newConsumerHandle(properties: Readonly<Record<string, string>>): number {
  const b = readerBinding();
  const conf = b.confNew();
  const errstr = Buffer.alloc(512);
  const text = () => errstr.toString('utf8', 0, Math.max(0, errstr.indexOf(0)));
  for (const [name, value] of Object.entries(properties)) {
    if (b.confSet(conf, name, value, errstr, errstr.length) !== 0) {
      throw new PipewatchError(
        'CONFIG_INVALID',
        `librdkafka property ${name}=${isSecretLibrdkafkaProperty(name) ? '[redacted]' : value}: ${text()}`,
        {
          key: name,
        },
      );
    }
  }
  const rk = b.kafkaNew(1 /* RD_KAFKA_CONSUMER */, conf, errstr, errstr.length);
  if (!rk) throw new PipewatchError('INTERNAL', `librdkafka consumer: ${text()}`);
  return rk;
}
