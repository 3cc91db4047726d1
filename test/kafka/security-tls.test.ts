// TLS from both Kafka clients against a node:tls listener started here, with certificates made
// by openssl at test time. The listener speaks only the start of the Kafka protocol (see
// security-broker.ts); what is checked is the TLS layer: the CA is verified, a wrong CA fails
// with a clear error, SNI carries the broker host name, and the client certificate is presented.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import {
  createKafkaClient,
  RdConsumer,
  resolveKafkaSecurity,
  type KafkaSecurity,
  type KafkaSecuritySettings,
} from '../../kafka/index.js';
import { waitFor, type Truthy } from '../support/wait.js';
import {
  makeCertificates,
  startSecurityBroker,
  type SecurityBroker,
  type TestCertificates,
} from './security-broker.js';

const read = (path: string) => readFileSync(path, 'utf8');

function security(broker: SecurityBroker, tls: KafkaSecuritySettings['tls']): KafkaSecurity {
  return resolveKafkaSecurity({ brokers: [broker.address], tls }, read);
}

/** Connects a kafkajs admin (the control-plane client) and fetches metadata. */
async function kafkajsConnect(broker: SecurityBroker, sec: KafkaSecurity): Promise<number> {
  const kafka = createKafkaClient({
    brokers: [broker.address],
    clientId: 'tls-test',
    security: sec,
    retry: { retries: 0 },
    connectionTimeoutMs: 5000,
    logger: pino({ level: 'silent' }),
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    return (await admin.describeCluster()).brokers.length;
  } finally {
    await admin.disconnect();
  }
}

/** Starts a librdkafka consumer (the data-plane client) and waits for `until`. */
async function librdkafkaRun<T>(
  broker: SecurityBroker,
  sec: KafkaSecurity,
  what: string,
  until: (errors: string[]) => T,
): Promise<{ value: Truthy<T>; errors: string[] }> {
  const consumer = new RdConsumer({
    brokers: [broker.address],
    clientId: 'tls-test-rd',
    groupId: 'tls-test',
    topics: ['tls-test'],
    security: sec,
  });
  const errors: string[] = [];
  try {
    const value = await waitFor(
      () => {
        errors.push(...consumer.takeErrors());
        return until(errors);
      },
      { what },
    );
    return { value, errors };
  } finally {
    await consumer.close();
  }
}

describe('Kafka TLS (node:tls listener, openssl certificates)', () => {
  let dir: string;
  let certs: TestCertificates;
  let broker: SecurityBroker;
  let mtlsBroker: SecurityBroker;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-tls-'));
    certs = makeCertificates(dir);
    const serverTls = { key: read(certs.serverKeyFile), cert: read(certs.serverCertFile) };
    broker = await startSecurityBroker({ tls: serverTls });
    mtlsBroker = await startSecurityBroker({
      tls: { ...serverTls, ca: read(certs.caFile), requestCert: true, rejectUnauthorized: true },
    });
  });
  after(async () => {
    await broker?.close();
    await mtlsBroker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kafkajs verifies the broker against kafka.tls.caFile, sends SNI and talks Kafka over TLS', async () => {
    const before = broker.handshakes.length;
    const sec = security(broker, { caFile: certs.caFile, insecureSkipVerify: false });
    assert.equal(await kafkajsConnect(broker, sec), 1);
    const handshake = broker.handshakes[before];
    assert.equal(handshake?.servername, 'localhost');
    assert.ok(broker.apiKeys.includes(18), 'ApiVersions arrived through the TLS session');
    assert.ok(broker.apiKeys.includes(3), 'Metadata arrived through the TLS session');
  });

  it('kafkajs refuses a broker whose certificate another CA signed', async () => {
    const sec = security(broker, { caFile: certs.otherCaFile, insecureSkipVerify: false });
    await assert.rejects(kafkajsConnect(broker, sec), (error: Error) => {
      assert.match(error.message, /certificate/i);
      return true;
    });
  });

  it('kafkajs connects to the wrong CA only with insecureSkipVerify', async () => {
    const sec = security(broker, { caFile: certs.otherCaFile, insecureSkipVerify: true });
    assert.equal(await kafkajsConnect(broker, sec), 1);
  });

  it('kafkajs presents the client certificate for mutual TLS', async () => {
    const sec = security(mtlsBroker, {
      caFile: certs.caFile,
      certFile: certs.clientCertFile,
      keyFile: certs.clientKeyFile,
      insecureSkipVerify: false,
    });
    const before = mtlsBroker.handshakes.length;
    assert.equal(await kafkajsConnect(mtlsBroker, sec), 1);
    assert.equal(mtlsBroker.handshakes[before]?.clientCertCn, 'pipewatch-client');
  });

  it('kafkajs without a client certificate is refused by the mTLS broker', async () => {
    const sec = security(mtlsBroker, { caFile: certs.caFile, insecureSkipVerify: false });
    const before = mtlsBroker.handshakes.length;
    await assert.rejects(kafkajsConnect(mtlsBroker, sec));
    assert.equal(mtlsBroker.handshakes.length, before, 'no handshake completed');
  });

  it('librdkafka verifies the broker against ssl.ca.location, sends SNI and talks Kafka over TLS', async () => {
    const before = broker.handshakes.length;
    const apiKeysBefore = broker.apiKeys.length;
    const sec = security(broker, { caFile: certs.caFile, insecureSkipVerify: false });
    const { errors } = await librdkafkaRun(
      broker,
      sec,
      'a librdkafka TLS handshake and ApiVersions',
      () => broker.handshakes.length > before && broker.apiKeys.slice(apiKeysBefore).includes(18),
    );
    assert.equal(broker.handshakes[before]?.servername, 'localhost');
    assert.deepEqual(
      errors.filter((e) => /ssl|certificate/i.test(e)),
      [],
      'no TLS error reported',
    );
  });

  it('librdkafka refuses a broker whose certificate another CA signed, saying why', async () => {
    const before = broker.handshakes.length;
    const sec = security(broker, { caFile: certs.otherCaFile, insecureSkipVerify: false });
    const { value } = await librdkafkaRun(
      broker,
      sec,
      'a certificate verification error',
      (errors) => errors.find((e) => /certificate verify failed/i.test(e)),
    );
    assert.match(value, /SSL handshake failed/);
    assert.equal(broker.handshakes.length, before, 'no handshake completed');
  });

  it('librdkafka presents the client certificate for mutual TLS', async () => {
    const sec = security(mtlsBroker, {
      caFile: certs.caFile,
      certFile: certs.clientCertFile,
      keyFile: certs.clientKeyFile,
      insecureSkipVerify: false,
    });
    const before = mtlsBroker.handshakes.length;
    await librdkafkaRun(mtlsBroker, sec, 'a librdkafka mTLS handshake', () =>
      mtlsBroker.handshakes.slice(before).some((h) => h.clientCertCn === 'pipewatch-client'),
    );
  });

  it('librdkafka connects to the wrong CA only with insecureSkipVerify', async () => {
    const before = broker.handshakes.length;
    const sec = security(broker, { caFile: certs.otherCaFile, insecureSkipVerify: true });
    await librdkafkaRun(
      broker,
      sec,
      'a librdkafka handshake without verification',
      () => broker.handshakes.length > before,
    );
  });
});
