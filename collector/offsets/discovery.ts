/**
 * Consumer-group discovery: ListGroups where the cluster supports it, filtered by the allow
 * and deny patterns. A cluster without ListGroups (librdkafka's mock, some Kafka-compatible
 * services) falls back to the configured groups, said once in the log, and is not asked again.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from 'pino';
import type { ErrorSink } from './poller.js';

export interface DiscoveryOptions {
  readonly admin: Admin;
  /** A group is discovered when it matches `allow` and not `deny`. */
  readonly allow: RegExp;
  readonly deny: RegExp | undefined;
  readonly logger: Logger;
  readonly onError: ErrorSink;
}

export interface GroupDiscovery {
  /** Discovered group ids, or undefined when the cluster cannot list groups (or it failed). */
  discover(): Promise<readonly string[] | undefined>;
  readonly supported: boolean;
}

export function createGroupDiscovery(options: DiscoveryOptions): GroupDiscovery {
  let supported = true;
  return {
    get supported() {
      return supported;
    },
    async discover() {
      if (!supported) return undefined;
      try {
        const { groups } = await options.admin.listGroups();
        return groups
          .map((g) => g.groupId)
          .filter((id) => options.allow.test(id) && !(options.deny?.test(id) ?? false));
      } catch (error) {
        if (isUnsupported(error)) {
          supported = false;
          options.logger.info(
            { reason: (error as Error).message },
            'the cluster does not support ListGroups: watching only the configured pipelines[].groups',
          );
        } else {
          options.onError('list_groups', error, 'cluster');
        }
        return undefined;
      }
    },
  };
}

function isUnsupported(error: unknown): boolean {
  const e = error as { name?: string; type?: string; message?: string };
  return (
    e?.name === 'KafkaJSServerDoesNotSupportApiKey' ||
    e?.type === 'UNSUPPORTED_VERSION' ||
    /does not support/i.test(e?.message ?? '')
  );
}
