import { newConf, rdBinding } from '../../../kafka/librdkafka/index.js';

/**
 * Commits chosen offsets for a group without joining it (a "standalone" commit, as Kafka's
 * own tools do for a group with no members): the mock cluster has no DescribeGroups, so
 * kafkajs' admin.setOffsets does not work on it.
 */
export async function commitOffsets(
  brokers: readonly string[],
  groupId: string,
  offsets: readonly { topic: string; partition: number; offset: number }[],
): Promise<void> {
  const b = rdBinding();
  const conf = newConf({
    'bootstrap.servers': brokers.join(','),
    'group.id': groupId,
    'enable.auto.commit': 'false',
    log_level: '3',
  });
  const errstr = Buffer.alloc(512);
  const rk = b.kafkaNew(1, conf, errstr, errstr.length);
  const list = b.partitionListNew(offsets.length);
  for (const o of offsets) {
    b.partitionListAdd(list, o.topic, o.partition);
    b.partitionListSetOffset(list, o.topic, o.partition, o.offset);
  }
  try {
    const err = await new Promise<number>((resolve, reject) =>
      b.commit.async(rk, list, 0, (e: unknown, r: number) =>
        e
          ? reject(e instanceof Error ? e : new Error('librdkafka commit call failed'))
          : resolve(r),
      ),
    );
    if (err !== 0) throw new Error(`commit failed: ${b.errToName(err)}`);
  } finally {
    b.partitionListDestroy(list);
    await new Promise<void>((resolve) => b.destroy.async(rk, () => resolve()));
  }
}
