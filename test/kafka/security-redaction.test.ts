// Kafka credentials never reach a log line: start-up's Kafka part (connectKafka, as `serve` runs
// it) and a librdkafka client, both at trace level so kafkajs' and librdkafka's own debug output
// is captured too, over SASL_SSL to the stand-in broker, with a right and a wrong password.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { Lifecycle } from '../../cli/lifecycle.js';
import { connectKafka } from '../../cli/service/kafka.js';
import { isPipewatchError } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';
import { RdConsumer, resolveKafkaSecurity } from '../../kafka/index.js';
import { waitFor } from '../support/wait.js';
import {
  makeCertificates,
  startSecurityBroker,
  type SecurityBroker,
  type TestCertificates,
} from './security-broker.js';

const password = 'Zq8-very-secret-kafka-password';
const wrongPassword = 'Yx7-wrong-but-also-secret';

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

function assertNoSecret(lines: readonly string[], ...secrets: string[]): void {
  for (const secret of secrets) {
    const leaking = lines.filter((line) => line.includes(secret));
    assert.deepEqual(leaking, [], `a log line shows the secret ${secret.slice(0, 3)}...`);
  }
}

describe('Kafka credentials are never logged', () => {
  let dir: string;
  let certs: TestCertificates;
  let broker: SecurityBroker;
  let passwordFile: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-redaction-'));
    certs = makeCertificates(dir);
    passwordFile = join(dir, 'kafka-password');
    writeFileSync(passwordFile, `${password}\n`);
    broker = await startSecurityBroker({
      tls: {
        key: readFileSync(certs.serverKeyFile, 'utf8'),
        cert: readFileSync(certs.serverCertFile, 'utf8'),
      },
      sasl: { mechanism: 'SCRAM-SHA-512', users: { 'feature-team': password } },
    });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (environment: Record<string, string>, withFile: boolean) =>
    parseConfig(
      {
        logLevel: 'trace',
        kafka: {
          brokers: [broker.address],
          connectTimeoutMs: 5000,
          tls: {
            caFile: certs.caFile,
            certFile: certs.clientCertFile,
            keyFile: certs.clientKeyFile,
          },
          sasl: {
            mechanism: 'scram-sha-512',
            username: 'feature-team',
            ...(withFile ? { passwordFile } : {}),
          },
        },
      },
      environment,
    );

  it('connectKafka logs in with the password file and logs which protection is on, not the secret', async () => {
    const { logger, lines } = capturingLogger();
    const lifecycle = new Lifecycle(logger);
    const authenticated = broker.authenticated.length;
    try {
      const kafka = await connectKafka(config({}, true), logger, lifecycle);
      assert.equal(kafka.security.sasl?.password, password, 'the file was read');
    } finally {
      await lifecycle.stopAll(5000);
    }
    assert.ok(broker.authenticated.length > authenticated, 'the broker saw a valid login');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const configured = parsed.find((l) => l.msg === 'Kafka TLS/SASL configured');
    assert.equal(configured?.tls, true);
    assert.equal(configured?.sasl, 'scram-sha-512');
    assert.ok(parsed.some((l) => l.msg === 'Kafka reachable'));
    assert.ok(lines.length > 3, `kafkajs debug output was captured (${lines.length} lines)`);
    assertNoSecret(lines, password);
    assertNoSecret(lines, readFileSync(certs.clientKeyFile, 'utf8').split('\n')[1] ?? 'x');
  });

  it('a wrong password from the environment fails start-up without showing either password', async () => {
    const { logger, lines } = capturingLogger();
    const lifecycle = new Lifecycle(logger);
    let message = '';
    try {
      await connectKafka(
        config({ PIPEWATCH_KAFKA_SASL_PASSWORD: wrongPassword }, false),
        logger,
        lifecycle,
      );
      assert.fail('expected the login to fail');
    } catch (error) {
      assert.ok(isPipewatchError(error), String(error));
      assert.equal(error.code, 'KAFKA_UNREACHABLE');
      message = `${error.message} ${JSON.stringify(error.details)}`;
    } finally {
      await lifecycle.stopAll(5000);
    }
    assert.match(message, /SASL|authentication/i);
    assertNoSecret([message, ...lines], wrongPassword, password);
  });

  it('a librdkafka client at debug level logs no secret, logging in or refused', async () => {
    for (const secret of [password, wrongPassword]) {
      const { logger, lines } = capturingLogger();
      const security = resolveKafkaSecurity(
        {
          brokers: [broker.address],
          tls: { caFile: certs.caFile, insecureSkipVerify: false },
          sasl: { mechanism: 'scram-sha-512', username: 'feature-team', password: secret },
        },
        (path) => readFileSync(path, 'utf8'),
      );
      const before = { ok: broker.authenticated.length, refused: broker.refused.length };
      const consumer = new RdConsumer({
        brokers: [broker.address],
        clientId: 'redaction',
        groupId: 'redaction',
        topics: ['redaction'],
        security,
        logger,
      });
      try {
        await waitFor(
          () => broker.authenticated.length > before.ok || broker.refused.length > before.refused,
          { what: 'a librdkafka login attempt' },
        );
        lines.push(...consumer.takeErrors());
      } finally {
        await consumer.close();
      }
      assertNoSecret(lines, secret);
    }
  });

  it('with the embedded cluster a sasl block stops start-up naming kafka.sasl, before anything starts', async () => {
    const { logger, lines } = capturingLogger();
    const lifecycle = new Lifecycle(logger);
    const embedded = parseConfig(
      { kafka: { sasl: { mechanism: 'plain', username: 'u' } } },
      { PIPEWATCH_KAFKA_SASL_PASSWORD: password },
    );
    await assert.rejects(connectKafka(embedded, logger, lifecycle), (error: unknown) => {
      assert.ok(isPipewatchError(error));
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.equal(error.details.key, 'kafka.sasl');
      assert.ok(!error.message.includes(password));
      return true;
    });
    assert.equal(
      lines.filter((l) => l.includes('embedded Kafka mock cluster')).length,
      0,
      'the mock cluster was not started',
    );
    await lifecycle.stopAll(1000);
  });
});
