import { PipewatchError } from '../common/index.js';
import { cString, loadLibrdkafka, newConf, rdBinding } from './librdkafka/index.js';

/**
 * An in-process Kafka-wire-protocol cluster: librdkafka's mock cluster, loaded through FFI from
 * Debian's librdkafka1. Used by the test suite and by `pipewatch serve` with no brokers
 * configured. Its brokers listen on 127.0.0.1 and speak the real protocol to kafkajs.
 */
export interface MockCluster {
  /** `127.0.0.1:port,...` for kafkajs' `brokers`. */
  readonly bootstrapServers: string;
  readonly brokers: readonly string[];
  readonly brokerIds: readonly number[];
  createTopic(topic: string, partitions: number, replicationFactor?: number): void;
  /** Disconnects the broker (-1: all) and refuses new connections; no leader change. */
  setBrokerDown(brokerId: number): void;
  setBrokerUp(brokerId: number): void;
  /** Adds a round-trip delay in milliseconds to every answer of the broker (-1: all). */
  setBrokerRoundTripMs(brokerId: number, roundTripMs: number): void;
  setPartitionLeader(topic: string, partition: number, brokerId: number): void;
  /** The next `errorCodes.length` requests with this API key fail with these Kafka error codes. */
  pushRequestErrors(apiKey: number, errorCodes: readonly number[]): void;
  destroy(): void;
}

/** Kafka protocol API keys used with pushRequestErrors. */
export const kafkaApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  SyncGroup: 14,
  ApiVersions: 18,
  InitProducerId: 22,
} as const;

/** A few Kafka protocol error codes worth injecting. */
export const kafkaErrorCode = {
  /** librdkafka's local transport error: the mock broker disconnects the client. */
  TRANSPORT: -195,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  NOT_COORDINATOR: 16,
  NOT_ENOUGH_REPLICAS: 19,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
} as const;

/** The mock cluster's own functions; client ones (conf, new, destroy) come from rdBinding. */
interface MockBinding {
  clusterNew: (rk: number, brokers: number) => number;
  clusterDestroy: (mc: number) => void;
  bootstraps: (mc: number) => string;
  topicCreate: (mc: number, topic: string, partitions: number, rf: number) => number;
  setDown: (mc: number, id: number) => number;
  setUp: (mc: number, id: number) => number;
  setRtt: (mc: number, id: number, ms: number) => number;
  setLeader: (mc: number, topic: string, partition: number, id: number) => number;
  pushErrors: (mc: number, apiKey: number, count: number, errors: Int32Array) => void;
}

let binding: MockBinding | undefined;

function loadBinding(): MockBinding {
  if (binding) return binding;
  const lib = loadLibrdkafka();
  const f = (decl: string) => lib.func(decl) as never;
  binding = {
    clusterNew: f('uintptr_t rd_kafka_mock_cluster_new(uintptr_t rk, int n)'),
    clusterDestroy: f('void rd_kafka_mock_cluster_destroy(uintptr_t mc)'),
    bootstraps: f('const char *rd_kafka_mock_cluster_bootstraps(uintptr_t mc)'),
    topicCreate: f(
      'int rd_kafka_mock_topic_create(uintptr_t mc, const char *topic, int p, int rf)',
    ),
    setDown: f('int rd_kafka_mock_broker_set_down(uintptr_t mc, int32_t id)'),
    setUp: f('int rd_kafka_mock_broker_set_up(uintptr_t mc, int32_t id)'),
    setRtt: f('int rd_kafka_mock_broker_set_rtt(uintptr_t mc, int32_t id, int rtt)'),
    setLeader: f(
      'int rd_kafka_mock_partition_set_leader(uintptr_t mc, const char *t, int32_t p, int32_t id)',
    ),
    pushErrors: f(
      'void rd_kafka_mock_push_request_errors_array(uintptr_t mc, int16_t key, size_t n, const int32_t *errs)',
    ),
  };
  return binding;
}

function check(what: string, code: number): void {
  if (code !== 0) {
    throw new PipewatchError(
      'INTERNAL',
      `mock cluster: ${what} failed: ${rdBinding().errToName(code)}`,
      { kafkaError: code },
    );
  }
}

/**
 * Starts a mock cluster with `brokerCount` brokers (ids 1..brokerCount).
 * The cluster lives in librdkafka's own threads; call destroy() to stop it.
 */
export function startMockCluster(brokerCount = 3): MockCluster {
  const b = loadBinding();
  const rd = rdBinding();
  // The handle only hosts the cluster; it never connects anywhere itself.
  const conf = newConf({ log_level: '0' });
  const errstr = Buffer.alloc(512);
  const rk = rd.kafkaNew(1 /* RD_KAFKA_CONSUMER */, conf, errstr, errstr.length);
  if (!rk) {
    throw new PipewatchError('MOCK_CLUSTER_UNAVAILABLE', `rd_kafka_new failed: ${cString(errstr)}`);
  }
  const mc = b.clusterNew(rk, brokerCount);
  if (!mc) {
    rd.destroy(rk);
    throw new PipewatchError('MOCK_CLUSTER_UNAVAILABLE', 'rd_kafka_mock_cluster_new failed');
  }
  const bootstrapServers = b.bootstraps(mc);
  let destroyed = false;
  return {
    bootstrapServers,
    brokers: bootstrapServers.split(','),
    brokerIds: Array.from({ length: brokerCount }, (_, i) => i + 1),
    createTopic(topic, partitions, replicationFactor = Math.min(brokerCount, 3)) {
      check(`create topic ${topic}`, b.topicCreate(mc, topic, partitions, replicationFactor));
    },
    setBrokerDown(brokerId) {
      check(`broker ${brokerId} down`, b.setDown(mc, brokerId));
    },
    setBrokerUp(brokerId) {
      check(`broker ${brokerId} up`, b.setUp(mc, brokerId));
    },
    setBrokerRoundTripMs(brokerId, roundTripMs) {
      check(`broker ${brokerId} rtt`, b.setRtt(mc, brokerId, roundTripMs));
    },
    setPartitionLeader(topic, partition, brokerId) {
      check(`leader of ${topic}/${partition}`, b.setLeader(mc, topic, partition, brokerId));
    },
    pushRequestErrors(apiKey, errorCodes) {
      b.pushErrors(mc, apiKey, errorCodes.length, Int32Array.from(errorCodes));
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      b.clusterDestroy(mc);
      rd.destroy(rk);
    },
  };
}
