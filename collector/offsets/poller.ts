/**
 * One poll of the offsets a lag runtime needs, through kafkajs' admin client (the control
 * plane). Committed offsets are read BEFORE end offsets: a commit can only move towards the
 * end, so reading it first can only overstate lag, never show a lag smaller than the truth.
 * A failed request degrades only the numbers it feeds (that group, that topic) and is
 * reported through `onError`; the rest of the poll goes on.
 */
import type { Admin } from 'kafkajs';

export type CollectorOperation = 'offset_fetch' | 'list_offsets' | 'list_groups' | 'record_read';

/** A group and the topics whose committed offsets are wanted. */
export interface GroupTopics {
  readonly group: string;
  readonly topics: readonly string[];
}

export interface TopicPartitionEnds {
  readonly partition: number;
  readonly end: number;
  readonly logStart: number;
}

export interface OffsetsSnapshot {
  /** Committed offsets per group: `topic/partition` → offset; absent partitions never committed. */
  readonly committed: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** End and log start offsets per topic, and when they were read. */
  readonly ends: ReadonlyMap<string, readonly TopicPartitionEnds[]>;
  readonly endsAtMs: number;
  /** Groups and topics whose request failed this poll. */
  readonly failedGroups: ReadonlySet<string>;
  readonly failedTopics: ReadonlySet<string>;
}

export type ErrorSink = (operation: CollectorOperation, error: unknown, subject: string) => void;

export interface PollOffsetsOptions {
  readonly admin: Admin;
  readonly groups: readonly GroupTopics[];
  /** Topics whose end offsets are wanted besides the groups' (idle topics without a group). */
  readonly topics?: readonly string[];
  readonly onError: ErrorSink;
  readonly nowMs: () => number;
  /** Requests in flight at once. Default 16. */
  readonly concurrency?: number;
}

export async function pollOffsets(options: PollOffsetsOptions): Promise<OffsetsSnapshot> {
  const { admin, onError } = options;
  const concurrency = options.concurrency ?? 16;
  const committed = new Map<string, Map<string, number>>();
  const failedGroups = new Set<string>();
  // OffsetFetch: one request per group to its coordinator (kafkajs 2 speaks OffsetFetch < v8,
  // which holds one group), many in flight at once.
  await forEachLimited(options.groups, concurrency, async ({ group, topics }) => {
    try {
      const answer = await admin.fetchOffsets({ groupId: group, topics: [...topics] });
      const offsets = new Map<string, number>();
      for (const t of answer) {
        for (const p of t.partitions) {
          const offset = Number(p.offset);
          if (offset >= 0) offsets.set(`${t.topic}/${p.partition}`, offset);
        }
      }
      committed.set(group, offsets);
    } catch (error) {
      failedGroups.add(group);
      onError('offset_fetch', error, group);
    }
  });
  const topics = [
    ...new Set([...options.groups.flatMap((g) => g.topics), ...(options.topics ?? [])]),
  ];
  const ends = new Map<string, TopicPartitionEnds[]>();
  const failedTopics = new Set<string>();
  // ListOffsets: kafkajs groups each topic's partitions by leader, one request per leader,
  // for the latest and for the earliest offsets.
  await forEachLimited(topics, concurrency, async (topic) => {
    try {
      const answer = await admin.fetchTopicOffsets(topic);
      ends.set(
        topic,
        answer.map((p) => ({
          partition: p.partition,
          end: Number(p.high),
          logStart: Number(p.low),
        })),
      );
    } catch (error) {
      failedTopics.add(topic);
      onError('list_offsets', error, topic);
    }
  });
  return { committed, ends, endsAtMs: options.nowMs(), failedGroups, failedTopics };
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
