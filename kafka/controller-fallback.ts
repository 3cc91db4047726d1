// librdkafka 2.0's mock cluster (Debian bookworm) reports controller id 0, which is not one of its
// brokers (ids start at 1), so kafkajs fails every controller-routed request, including the
// InitProducerId of an idempotent producer. Real Kafka always lists its controller. The fallback
// (route controller requests to the first listed broker, which the mock answers like a
// controller) is installed per client, on the clusters of one kafkajs client only: clients built
// for the embedded mock cluster get it, every other client is stock kafkajs.
import type { Kafka } from 'kafkajs';

interface BrokerMetadata {
  readonly nodeId: number;
}
interface ClusterLike {
  brokerPool: { metadata?: { controllerId?: number | null; brokers: BrokerMetadata[] } };
  findBroker(query: { nodeId: number }): Promise<unknown>;
  findControllerBroker(): Promise<unknown>;
}

const marker = Symbol.for('pipewatch.controllerFallback');
type ClusterFactory = (options: unknown) => ClusterLike;

/** True when `kafka` was built with the mock-cluster controller fallback. */
export function hasMockControllerFallback(kafka: Kafka): boolean {
  return (kafka as unknown as { [marker]?: true })[marker] === true;
}

/**
 * Installs the controller fallback on every cluster `kafka` creates from now on (its producers,
 * consumers and admins). kafkajs builds one Cluster per producer/consumer/admin through a private
 * factory on the client; the factory is wrapped and each new Cluster gets an own
 * `findControllerBroker`, so the kafkajs prototype stays untouched.
 */
export function installMockControllerFallback(kafka: Kafka): Kafka {
  const client = kafka as unknown as Record<symbol, unknown> & { [marker]?: true };
  if (client[marker]) return kafka;
  const key = Object.getOwnPropertySymbols(client).find(
    (s) => s.description === 'private:Kafka:createCluster',
  );
  const createCluster = key ? (client[key] as ClusterFactory | undefined) : undefined;
  if (!key || typeof createCluster !== 'function') {
    throw new TypeError('kafkajs changed: no private createCluster factory on the client');
  }
  client[key] = (options: unknown) => {
    const cluster = createCluster(options);
    const original = cluster.findControllerBroker.bind(cluster);
    cluster.findControllerBroker = async () => {
      const metadata = cluster.brokerPool.metadata;
      const controllerId = metadata?.controllerId;
      const first = metadata?.brokers[0];
      if (
        metadata &&
        controllerId !== null &&
        controllerId !== undefined &&
        first &&
        !metadata.brokers.some((b) => b.nodeId === controllerId)
      ) {
        return cluster.findBroker({ nodeId: first.nodeId });
      }
      return original();
    };
    return cluster;
  };
  client[marker] = true;
  return kafka;
}
