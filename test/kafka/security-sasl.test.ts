// SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 from both Kafka clients. librdkafka's mock cluster
// on this machine (2.0.2) does not implement SaslHandshake (the first test shows it), so the
// broker side is security-broker.ts: real Kafka framing for ApiVersions, SaslHandshake v1 and
// SaslAuthenticate, with the SASL verification written from RFC 4616 / 5802 / 7677. A client
// sending a wrong password or a wrong SCRAM proof is refused there, as by a real broker.
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
  startMockCluster,
  type KafkaSecurity,
  type SaslMechanism,
} from '../../kafka/index.js';
import { waitFor, type Truthy } from '../support/wait.js';
import {
  makeCertificates,
  startSecurityBroker,
  type Mechanism,
  type SecurityBroker,
  type TestCertificates,
} from './security-broker.js';

const quiet = pino({ level: 'silent' });
const read = (path: string) => readFileSync(path, 'utf8');
const users = { 'feature-team': 'correct horse battery staple' };
const wireName: Record<SaslMechanism, Mechanism> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

function saslSecurity(
  broker: SecurityBroker,
  mechanism: SaslMechanism,
  password: string,
  tls?: { caFile: string },
): KafkaSecurity {
  return resolveKafkaSecurity(
    {
      brokers: [broker.address],
      sasl: { mechanism, username: 'feature-team', password },
      ...(tls ? { tls: { ...tls, insecureSkipVerify: false } } : {}),
    },
    read,
  );
}

async function kafkajsConnect(broker: SecurityBroker, security: KafkaSecurity): Promise<void> {
  const kafka = createKafkaClient({
    brokers: [broker.address],
    clientId: 'sasl-test',
    security,
    retry: { retries: 0 },
    logger: quiet,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

async function librdkafkaUntil<T>(
  broker: SecurityBroker,
  security: KafkaSecurity,
  what: string,
  until: (errors: string[]) => T,
): Promise<Truthy<T>> {
  const consumer = new RdConsumer({
    brokers: [broker.address],
    clientId: 'sasl-test-rd',
    groupId: 'sasl-test',
    topics: ['sasl-test'],
    security,
  });
  const errors: string[] = [];
  try {
    return await waitFor(
      () => {
        errors.push(...consumer.takeErrors());
        return until(errors);
      },
      { what },
    );
  } finally {
    await consumer.close();
  }
}

describe('the embedded mock cluster and SASL', () => {
  it('librdkafka 2.0.2 mock brokers do not offer SaslHandshake: kafkajs with SASL is refused', async () => {
    const cluster = startMockCluster(1);
    try {
      const kafka = createKafkaClient({
        brokers: cluster.brokers,
        clientId: 'mock-sasl',
        retry: { retries: 0 },
        logger: quiet,
        security: { sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
      });
      const admin = kafka.admin();
      await assert.rejects(admin.connect(), { name: 'KafkaJSServerDoesNotSupportApiKey' });
      await admin.disconnect();
    } finally {
      cluster.destroy();
    }
  });
});

for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
  describe(`SASL ${wireName[mechanism]} (SASL_PLAINTEXT)`, () => {
    let broker: SecurityBroker;
    before(async () => {
      broker = await startSecurityBroker({ sasl: { mechanism: wireName[mechanism], users } });
    });
    after(() => broker?.close());

    it('kafkajs authenticates with the right password', async () => {
      const before = broker.authenticated.length;
      await kafkajsConnect(broker, saslSecurity(broker, mechanism, users['feature-team']));
      assert.deepEqual(broker.authenticated.slice(before)[0], {
        user: 'feature-team',
        mechanism: wireName[mechanism],
      });
      assert.ok(broker.handshakeMechanisms.includes(wireName[mechanism]));
    });

    it('kafkajs with a wrong password is refused with an authentication error', async () => {
      const before = broker.refused.length;
      await assert.rejects(
        kafkajsConnect(broker, saslSecurity(broker, mechanism, 'wrong password')),
        (error: Error) => {
          assert.match(error.message, /SASL/);
          assert.match(error.message, /authentication failed/i);
          return true;
        },
      );
      assert.equal(broker.refused.length, before + 1);
    });

    it('librdkafka authenticates with the right password', async () => {
      const before = broker.authenticated.length;
      const security = saslSecurity(broker, mechanism, users['feature-team']);
      await librdkafkaUntil(broker, security, `a ${mechanism} authentication`, () =>
        broker.authenticated.slice(before).find((a) => a.user === 'feature-team'),
      );
      assert.equal(broker.authenticated[before]?.mechanism, wireName[mechanism]);
    });

    it('librdkafka with a wrong password is refused and reports it', async () => {
      const before = broker.refused.length;
      const authenticated = broker.authenticated.length;
      const security = saslSecurity(broker, mechanism, 'wrong password');
      const error = await librdkafkaUntil(broker, security, 'a SASL error', (errors) =>
        errors.find((e) => /SASL authentication error/i.test(e)),
      );
      assert.match(error, /invalid credentials/);
      assert.ok(broker.refused.length > before);
      assert.equal(broker.authenticated.length, authenticated, 'nobody got in');
    });
  });
}

describe('SASL SCRAM-SHA-512 over TLS (SASL_SSL)', () => {
  let dir: string;
  let certs: TestCertificates;
  let broker: SecurityBroker;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-sasl-ssl-'));
    certs = makeCertificates(dir);
    broker = await startSecurityBroker({
      tls: { key: read(certs.serverKeyFile), cert: read(certs.serverCertFile) },
      sasl: { mechanism: 'SCRAM-SHA-512', users },
    });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kafkajs completes the TLS handshake, then authenticates', async () => {
    const handshakes = broker.handshakes.length;
    const authenticated = broker.authenticated.length;
    const security = saslSecurity(broker, 'scram-sha-512', users['feature-team'], {
      caFile: certs.caFile,
    });
    await kafkajsConnect(broker, security);
    assert.ok(broker.handshakes.length > handshakes);
    assert.equal(broker.authenticated.length, authenticated + 1);
  });

  it('librdkafka completes the TLS handshake, then authenticates', async () => {
    const handshakes = broker.handshakes.length;
    const authenticated = broker.authenticated.length;
    const security = saslSecurity(broker, 'scram-sha-512', users['feature-team'], {
      caFile: certs.caFile,
    });
    await librdkafkaUntil(
      broker,
      security,
      'a SASL_SSL authentication',
      () => broker.authenticated.length > authenticated,
    );
    assert.ok(broker.handshakes.length > handshakes);
  });
});
