/**
 * Point reads of "the first record at offset >= committed" for exact staleness, on librdkafka
 * (the project's data-plane client, kafka/librdkafka) rather than kafkajs: kafkajs can only
 * fetch inside a consumer group (a join and a rebalance per read set), while a librdkafka
 * handle can `assign` any set of partitions at chosen offsets with no group membership, reads
 * read_committed (aborted records and transaction markers are stepped over by the client, as
 * a transactional consumer would) and signals the partition end (`enable.partition.eof`),
 * which is how "no record between committed and end" (caught up behind a commit marker) is
 * told apart from "not fetched yet". One handle per cluster; one read set at a time.
 */
import koffi from 'koffi';
import { PipewatchError } from '../../common/index.js';
import type { CommittedRecord } from '../../detectors/index.js';
import { newConsumerHandle, readerBinding } from './rd-binding.js';

export interface RecordReadRequest {
  readonly topic: string;
  readonly partition: number;
  /** Read the first record at an offset >= this one. */
  readonly offset: number;
}

export type RecordReadResult =
  CommittedRecord | { readonly kind: 'error'; readonly message: string };

export interface RecordReader {
  /** One result per request, keyed `topic/partition`; unanswered ones are errors (timeout). */
  read(requests: readonly RecordReadRequest[]): Promise<Map<string, RecordReadResult>>;
  close(): Promise<void>;
}

export interface RecordReaderOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** How long one read set may take before its unanswered partitions fail, in ms. */
  readonly timeoutMs: number;
  /** TLS and SASL properties (kafka/security.ts), added to the reader's client. */
  readonly securityProperties?: Readonly<Record<string, string>>;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

// RD_KAFKA_RESP_ERR__PARTITION_EOF: the fetch reached the end; the message's offset is the end.
const errPartitionEof = -191;

// Messages taken from librdkafka per call (one worker-thread hop per batch, not per record).
const batchSize = 1024;

export function createRecordReader(options: RecordReaderOptions): RecordReader {
  const b = readerBinding();
  const rk = newConsumerHandle({
    'bootstrap.servers': options.brokers.join(','),
    'client.id': `${options.clientId}.lag-reader`,
    // Needed for the consumer queue only: the handle never subscribes, joins or commits.
    'group.id': `${options.clientId}.lag-reader`,
    'enable.auto.commit': 'false',
    'enable.auto.offset.store': 'false',
    'enable.partition.eof': 'true',
    'auto.offset.reset': 'error',
    'isolation.level': 'read_committed',
    'fetch.wait.max.ms': '50',
    ...options.securityProperties,
    // One record is wanted per partition: keep fetches small.
    'max.partition.fetch.bytes': '65536',
    'queued.max.messages.kbytes': '16384',
    log_level: '3',
  });
  let busy: Promise<unknown> = Promise.resolve();
  let closed = false;

  const queue = b.queueGetConsumer(rk);
  const pointers = Buffer.alloc(batchSize * 8);
  const layout = {
    size: koffi.sizeof(b.messageType),
    err: koffi.offsetof(b.messageType, 'err'),
    rkt: koffi.offsetof(b.messageType, 'rkt'),
    partition: koffi.offsetof(b.messageType, 'partition'),
    offset: koffi.offsetof(b.messageType, 'offset'),
  };
  const header = Buffer.alloc(layout.size);
  const consumeBatch = (timeoutMs: number) =>
    new Promise<number>((resolve, reject) =>
      b.consumeBatch.async(
        queue,
        timeoutMs,
        pointers,
        batchSize,
        (err: unknown, n: number | bigint) => (err ? reject(toError(err)) : resolve(Number(n))),
      ),
    );
  const topicNames = new Map<number, string>();
  const topicOf = (rkt: number) => {
    let name = topicNames.get(rkt);
    if (name === undefined) topicNames.set(rkt, (name = b.topicName(rkt)));
    return name;
  };

  async function readSet(requests: readonly RecordReadRequest[]) {
    const results = new Map<string, RecordReadResult>();
    const wanted = new Map<string, number>();
    for (const r of requests) wanted.set(partitionKey(r.topic, r.partition), r.offset);
    if (wanted.size === 0 || closed) return results;
    const list = b.listNew(wanted.size);
    for (const [key, offset] of wanted) {
      const slash = key.lastIndexOf('/');
      const [topic, partition] = [key.slice(0, slash), Number(key.slice(slash + 1))];
      b.listAdd(list, topic, partition);
      b.listSetOffset(list, topic, partition, offset);
    }
    const err = b.assign(rk, list);
    b.listDestroy(list);
    if (err !== 0) throw new PipewatchError('INTERNAL', `assign failed: ${b.errToName(err)}`);
    const deadline = Date.now() + options.timeoutMs;
    try {
      while (wanted.size > 0 && Date.now() < deadline) {
        const count = await consumeBatch(Math.max(1, Math.min(100, deadline - Date.now())));
        for (let i = 0; i < count; i++) {
          const msg = Number(pointers.readBigUInt64LE(i * 8));
          try {
            b.copyOut(header, msg, layout.size);
            const err = header.readInt32LE(layout.err);
            const rkt = Number(header.readBigUInt64LE(layout.rkt));
            const key = partitionKey(topicOf(rkt), header.readInt32LE(layout.partition));
            const from = wanted.get(key);
            if (from === undefined) continue;
            const offset = Number(header.readBigInt64LE(layout.offset));
            if (err === 0 && offset >= from) {
              results.set(key, {
                kind: 'record',
                offset,
                timestampMs: Number(b.timestamp(msg, null)),
              });
              wanted.delete(key);
            } else if (err === errPartitionEof && offset >= from) {
              results.set(key, { kind: 'caught-up', endOffset: offset });
              wanted.delete(key);
            } else if (err !== 0 && err !== errPartitionEof) {
              results.set(key, { kind: 'error', message: b.errToName(err) });
              wanted.delete(key);
            }
          } finally {
            b.destroyMessage(msg);
          }
        }
      }
    } finally {
      b.assign(rk, 0);
    }
    for (const key of wanted.keys()) {
      results.set(key, { kind: 'error', message: `no answer within ${options.timeoutMs} ms` });
    }
    return results;
  }

  return {
    read(requests) {
      const run = busy.then(() => readSet(requests));
      busy = run.catch(() => undefined);
      return run;
    },
    async close() {
      if (closed) return;
      closed = true;
      await busy;
      b.queueDestroy(queue);
      await new Promise<void>((resolve) =>
        b.consumerClose.async(rk, () => b.destroy.async(rk, () => resolve())),
      );
    },
  };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
