import { PipewatchError } from '../../common/index.js';
import {
  callAsync,
  offsetList,
  partitionListLayout,
  pinnedBuffer,
  rdBinding,
  readU64,
} from './binding.js';

/** Copies `length` bytes at a C address into a new Buffer. */
export function copyOut(address: number, length: number): Buffer {
  const target = pinnedBuffer(length);
  if (length > 0) rdBinding().copy(target.address, address, length);
  return target.buffer.subarray(0, length);
}

/** The elements of a `rd_kafka_topic_partition_list_t`. */
export function readPartitionList(
  list: number,
): { topic: string; partition: number; offset: number; err: number }[] {
  const b = rdBinding();
  const head = copyOut(list, 16);
  const count = head.readInt32LE(partitionListLayout.cnt);
  const elems = readU64(head, partitionListLayout.elems);
  const out: { topic: string; partition: number; offset: number; err: number }[] = [];
  for (let i = 0; i < count; i++) {
    const element = copyOut(elems + i * partitionListLayout.elemSize, partitionListLayout.elemSize);
    const topicPointer = readU64(element, partitionListLayout.topic);
    out.push({
      topic: copyOut(topicPointer, b.strlen(topicPointer)).toString('utf8'),
      partition: element.readInt32LE(partitionListLayout.partition),
      offset: Number(element.readBigInt64LE(partitionListLayout.offset)),
      err: element.readInt32LE(partitionListLayout.err),
    });
  }
  return out;
}

/**
 * ListOffsets by timestamp on client `rk`: per partition, the earliest offset whose record
 * timestamp is at or after `timestampMs`, or -1 when there is none. A cluster may ignore the
 * timestamp (see the callers' probes).
 */
export async function offsetsForTimes(
  rk: number,
  topic: string,
  partitions: readonly number[],
  timestampMs: number,
  timeoutMs: number,
): Promise<Map<number, number>> {
  const b = rdBinding();
  const list = offsetList(
    partitions.map((partition) => ({ topic, partition, offset: timestampMs })),
  );
  try {
    const err = await callAsync(b.offsetsForTimes, rk, list, timeoutMs);
    if (err !== 0) {
      throw new PipewatchError('KAFKA_UNREACHABLE', `offsets by timestamp: ${b.errToString(err)}`);
    }
    const out = new Map<number, number>();
    for (const element of readPartitionList(list)) {
      if (element.err !== 0) {
        throw new PipewatchError(
          'KAFKA_UNREACHABLE',
          `offsets by timestamp of ${topic}[${element.partition}]: ${b.errToString(element.err)}`,
        );
      }
      out.set(element.partition, element.offset);
    }
    return out;
  } finally {
    b.partitionListDestroy(list);
  }
}

/** Low (log start) and high (end) watermark of a partition, asked of its leader by `rk`. */
export async function watermarkOffsets(
  rk: number,
  topic: string,
  partition: number,
  timeoutMs: number,
): Promise<{ low: number; high: number }> {
  const b = rdBinding();
  const out = pinnedBuffer(16);
  const err = await callAsync(
    b.queryWatermarkOffsets,
    rk,
    topic,
    partition,
    out.address,
    out.address + 8,
    timeoutMs,
  );
  if (err !== 0) {
    throw new PipewatchError(
      'KAFKA_UNREACHABLE',
      `watermarks of ${topic}[${partition}]: ${b.errToString(err)}`,
    );
  }
  return {
    low: Number(out.buffer.readBigInt64LE(0)),
    high: Number(out.buffer.readBigInt64LE(8)),
  };
}
