import koffi from 'koffi';
import { PipewatchError } from '../common/index.js';
import { loadLibrdkafka } from './librdkafka/index.js';

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

interface Binding {
  confNew: () => unknown;
  confSet: (conf: unknown, name: string, value: string, err: Buffer, size: number) => number;
  kafkaNew: (type: number, conf: unknown, err: Buffer, size: number) => unknown;
  kafkaDestroy: (rk: unknown) => void;
  clusterNew: (rk: unknown, brokers: number) => unknown;
  clusterDestroy: (mc: unknown) => void;
  bootstraps: (mc: unknown) => string;
  topicCreate: (mc: unknown, topic: string, partitions: number, rf: number) => number;
  setDown: (mc: unknown, id: number) => number;
  setUp: (mc: unknown, id: number) => number;
  setRtt: (mc: unknown, id: number, ms: number) => number;
  setLeader: (mc: unknown, topic: string, partition: number, id: number) => number;
  pushErrors: (mc: unknown, apiKey: number, count: number, errors: Int32Array) => void;
  errToName: (err: number) => string;
}

let binding: Binding | undefined;

function loadBinding(): Binding {
  if (binding) return binding;
  const lib = loadLibrdkafka();
  koffi.opaque('rd_kafka_conf_t');
  koffi.opaque('rd_kafka_t');
  koffi.opaque('rd_kafka_mock_cluster_t');
  binding = {
    confNew: lib.func('rd_kafka_conf_t *rd_kafka_conf_new(void)'),
    confSet: lib.func(
      'int rd_kafka_conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t size)',
    ),
    kafkaNew: lib.func(
      'rd_kafka_t *rd_kafka_new(int type, rd_kafka_conf_t *conf, _Out_ uint8_t *errstr, size_t size)',
    ),
    kafkaDestroy: lib.func('void rd_kafka_destroy(rd_kafka_t *rk)'),
    clusterNew: lib.func(
      'rd_kafka_mock_cluster_t *rd_kafka_mock_cluster_new(rd_kafka_t *rk, int n)',
    ),
    clusterDestroy: lib.func('void rd_kafka_mock_cluster_destroy(rd_kafka_mock_cluster_t *mc)'),
    bootstraps: lib.func(
      'const char *rd_kafka_mock_cluster_bootstraps(rd_kafka_mock_cluster_t *mc)',
    ),
    topicCreate: lib.func(
      'int rd_kafka_mock_topic_create(rd_kafka_mock_cluster_t *mc, const char *topic, int p, int rf)',
    ),
    setDown: lib.func('int rd_kafka_mock_broker_set_down(rd_kafka_mock_cluster_t *mc, int32_t id)'),
    setUp: lib.func('int rd_kafka_mock_broker_set_up(rd_kafka_mock_cluster_t *mc, int32_t id)'),
    setRtt: lib.func(
      'int rd_kafka_mock_broker_set_rtt(rd_kafka_mock_cluster_t *mc, int32_t id, int rtt)',
    ),
    setLeader: lib.func(
      'int rd_kafka_mock_partition_set_leader(rd_kafka_mock_cluster_t *mc, const char *t, int32_t p, int32_t id)',
    ),
    pushErrors: lib.func(
      'void rd_kafka_mock_push_request_errors_array(rd_kafka_mock_cluster_t *mc, int16_t key, size_t n, const int32_t *errs)',
    ),
    errToName: lib.func('const char *rd_kafka_err2name(int err)'),
  };
  return binding;
}

function check(b: Binding, what: string, code: number): void {
  if (code !== 0) {
    throw new PipewatchError('INTERNAL', `mock cluster: ${what} failed: ${b.errToName(code)}`, {
      kafkaError: code,
    });
  }
}

/**
 * Starts a mock cluster with `brokerCount` brokers (ids 1..brokerCount).
 * The cluster lives in librdkafka's own threads; call destroy() to stop it.
 */
export function startMockCluster(brokerCount = 3): MockCluster {
  const b = loadBinding();
  const errstr = Buffer.alloc(512);
  const conf = b.confNew();
  // The handle only hosts the cluster; it never connects anywhere itself.
  b.confSet(conf, 'log_level', '0', errstr, errstr.length);
  const rk = b.kafkaNew(1 /* RD_KAFKA_CONSUMER */, conf, errstr, errstr.length);
  if (!rk) {
    throw new PipewatchError(
      'MOCK_CLUSTER_UNAVAILABLE',
      `rd_kafka_new failed: ${errstr.toString('utf8').replace(/\0.*$/s, '')}`,
    );
  }
  const mc = b.clusterNew(rk, brokerCount);
  if (!mc) {
    b.kafkaDestroy(rk);
    throw new PipewatchError('MOCK_CLUSTER_UNAVAILABLE', 'rd_kafka_mock_cluster_new failed');
  }
  const bootstrapServers = b.bootstraps(mc);
  let destroyed = false;
  return {
    bootstrapServers,
    brokers: bootstrapServers.split(','),
    brokerIds: Array.from({ length: brokerCount }, (_, i) => i + 1),
    createTopic(topic, partitions, replicationFactor = Math.min(brokerCount, 3)) {
      check(b, `create topic ${topic}`, b.topicCreate(mc, topic, partitions, replicationFactor));
    },
    setBrokerDown(brokerId) {
      check(b, `broker ${brokerId} down`, b.setDown(mc, brokerId));
    },
    setBrokerUp(brokerId) {
      check(b, `broker ${brokerId} up`, b.setUp(mc, brokerId));
    },
    setBrokerRoundTripMs(brokerId, roundTripMs) {
      check(b, `broker ${brokerId} rtt`, b.setRtt(mc, brokerId, roundTripMs));
    },
    setPartitionLeader(topic, partition, brokerId) {
      check(b, `leader of ${topic}/${partition}`, b.setLeader(mc, topic, partition, brokerId));
    },
    pushRequestErrors(apiKey, errorCodes) {
      b.pushErrors(mc, apiKey, errorCodes.length, Int32Array.from(errorCodes));
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      b.clusterDestroy(mc);
      b.kafkaDestroy(rk);
    },
  };
}
