// librdkafka 2.0's mock cluster (Debian bookworm) reports controller id 0, which is not one of its
// brokers (ids start at 1), so kafkajs fails every controller-routed request, including the
// InitProducerId of an idempotent producer. Real Kafka always lists its controller; only when the
// reported controller is missing from the broker list do we route to the first listed broker,
// which the mock answers like a controller. Applied once, on import of kafka/.
import { createRequire } from 'node:module';

interface BrokerMetadata {
  readonly nodeId: number;
}
interface ClusterLike {
  brokerPool: { metadata?: { controllerId?: number | null; brokers: BrokerMetadata[] } };
  findBroker(query: { nodeId: number }): Promise<unknown>;
  findControllerBroker(): Promise<unknown>;
}

const require = createRequire(import.meta.url);
const Cluster = require('kafkajs/src/cluster/index.js') as { prototype: ClusterLike };
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with .call below
const original = Cluster.prototype.findControllerBroker;
const marker = Symbol.for('pipewatch.controllerFallback');
const proto = Cluster.prototype as ClusterLike & { [marker]?: true };

if (!proto[marker]) {
  proto[marker] = true;
  proto.findControllerBroker = async function findControllerBroker(this: ClusterLike) {
    const metadata = this.brokerPool.metadata;
    const controllerId = metadata?.controllerId;
    const first = metadata?.brokers[0];
    if (
      metadata &&
      controllerId !== null &&
      controllerId !== undefined &&
      first &&
      !metadata.brokers.some((b) => b.nodeId === controllerId)
    ) {
      return this.findBroker({ nodeId: first.nodeId });
    }
    return original.call(this);
  };
}
