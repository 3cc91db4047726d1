// The kafka.tls / kafka.sasl config and its one translation to kafkajs and librdkafka options.
// Expected property names and values are librdkafka's documented ones (CONFIGURATION.md), and
// the real library is asked whether it accepts them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPipewatchError } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';
import {
  isSecretLibrdkafkaProperty,
  kafkajsSecurityOptions,
  kafkaSecurityWarning,
  librdkafkaSecurityProperties,
  resolveKafkaSecurity,
  type KafkaSecurity,
} from '../../kafka/index.js';
import { newConf } from '../../kafka/librdkafka/index.js';

const brokers = ['kafka-1.example:9093'];
const files: Record<string, string> = {
  '/secrets/ca.pem': 'CA PEM',
  '/secrets/client.pem': 'CERT PEM',
  '/secrets/client.key': 'KEY PEM',
  '/secrets/password': 'file-secret\n',
  '/secrets/password-crlf': 'crlf-secret\r\n',
  '/secrets/empty': '\n',
};
const readFile = (path: string): string => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
  return text;
};

function configError(fn: () => unknown): { key: unknown; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(isPipewatchError(error), String(error));
    assert.equal(error.code, 'CONFIG_INVALID');
    return { key: error.details.key, message: error.message };
  }
  assert.fail('expected a CONFIG_INVALID error');
}

describe('kafka.tls and kafka.sasl configuration', () => {
  it('defaults: neither block, so plaintext without authentication', () => {
    const { kafka } = parseConfig({}, {});
    assert.equal(kafka.tls, undefined);
    assert.equal(kafka.sasl, undefined);
  });

  it('an empty tls block turns TLS on with verification (insecureSkipVerify defaults to false)', () => {
    const { kafka } = parseConfig({ kafka: { brokers, tls: {} } }, {});
    assert.deepEqual(kafka.tls, { insecureSkipVerify: false });
  });

  it('takes the SASL user and password from the environment', () => {
    const { kafka } = parseConfig(
      { kafka: { brokers, sasl: { mechanism: 'scram-sha-512' } } },
      {
        PIPEWATCH_KAFKA_SASL_USERNAME: 'svc-pipewatch',
        PIPEWATCH_KAFKA_SASL_PASSWORD: 'env-secret',
      },
    );
    assert.deepEqual(kafka.sasl, {
      mechanism: 'scram-sha-512',
      username: 'svc-pipewatch',
      password: 'env-secret',
    });
  });

  it('takes the whole SASL block and the CA file from the environment alone', () => {
    const { kafka } = parseConfig(
      {},
      {
        PIPEWATCH_KAFKA_BROKERS: 'kafka-1.example:9093',
        PIPEWATCH_KAFKA_SASL_MECHANISM: 'plain',
        PIPEWATCH_KAFKA_SASL_USERNAME: 'u',
        PIPEWATCH_KAFKA_SASL_PASSWORD_FILE: '/secrets/password',
        PIPEWATCH_KAFKA_TLS_CA_FILE: '/secrets/ca.pem',
      },
    );
    assert.deepEqual(kafka.sasl, {
      mechanism: 'plain',
      username: 'u',
      passwordFile: '/secrets/password',
    });
    assert.deepEqual(kafka.tls, { caFile: '/secrets/ca.pem', insecureSkipVerify: false });
  });

  it('needs exactly one of password and passwordFile, naming the key', () => {
    const none = configError(() =>
      parseConfig({ kafka: { brokers, sasl: { mechanism: 'plain', username: 'u' } } }, {}),
    );
    assert.equal(none.key, 'kafka.sasl.password');
    assert.match(none.message, /exactly one of password and passwordFile/);
    const both = configError(() =>
      parseConfig(
        {
          kafka: {
            brokers,
            sasl: { mechanism: 'plain', username: 'u', passwordFile: '/secrets/password' },
          },
        },
        { PIPEWATCH_KAFKA_SASL_PASSWORD: 'env-secret' },
      ),
    );
    assert.equal(both.key, 'kafka.sasl.password');
    assert.doesNotMatch(both.message, /env-secret/, 'the message never shows the secret');
  });

  it('rejects an unknown mechanism, an unknown key and a certificate without its key', () => {
    const mechanism = configError(() =>
      parseConfig(
        { kafka: { brokers, sasl: { mechanism: 'gssapi', username: 'u', password: 'x' } } },
        {},
      ),
    );
    assert.equal(mechanism.key, 'kafka.sasl.mechanism');
    const unknown = configError(() =>
      parseConfig({ kafka: { brokers, tls: { caPath: '/x' } } }, {}),
    );
    assert.equal(unknown.key, 'kafka.tls.caPath');
    const halfPair = configError(() =>
      parseConfig({ kafka: { brokers, tls: { certFile: '/secrets/client.pem' } } }, {}),
    );
    assert.equal(halfPair.key, 'kafka.tls.keyFile');
  });

  it('a message about a bad SASL block does not show the password', () => {
    const { message } = configError(() =>
      parseConfig(
        { kafka: { brokers, sasl: { mechanism: 'plain', username: '' } } },
        { PIPEWATCH_KAFKA_SASL_PASSWORD: 'hunter2-env-secret' },
      ),
    );
    assert.doesNotMatch(message, /hunter2/);
  });
});

describe('resolveKafkaSecurity', () => {
  it('with the embedded cluster (no brokers) a tls or sasl block is a config error naming it', () => {
    const tls = configError(() =>
      resolveKafkaSecurity({ brokers: [], tls: { insecureSkipVerify: false } }, readFile),
    );
    assert.equal(tls.key, 'kafka.tls');
    assert.match(tls.message, /embedded mock cluster/);
    const sasl = configError(() =>
      resolveKafkaSecurity(
        { brokers: [], sasl: { mechanism: 'plain', username: 'u', password: 'p' } },
        readFile,
      ),
    );
    assert.equal(sasl.key, 'kafka.sasl');
  });

  it('reads the password file without its trailing newline (LF or CRLF)', () => {
    for (const [path, expected] of [
      ['/secrets/password', 'file-secret'],
      ['/secrets/password-crlf', 'crlf-secret'],
    ] as const) {
      const security = resolveKafkaSecurity(
        { brokers, sasl: { mechanism: 'scram-sha-256', username: 'u', passwordFile: path } },
        readFile,
      );
      assert.equal(security.sasl?.password, expected);
    }
  });

  it('an empty or unreadable file stops start-up naming the key and the path', () => {
    const empty = configError(() =>
      resolveKafkaSecurity(
        { brokers, sasl: { mechanism: 'plain', username: 'u', passwordFile: '/secrets/empty' } },
        readFile,
      ),
    );
    assert.equal(empty.key, 'kafka.sasl.passwordFile');
    const missing = configError(() =>
      resolveKafkaSecurity(
        { brokers, tls: { caFile: '/secrets/nope.pem', insecureSkipVerify: false } },
        readFile,
      ),
    );
    assert.equal(missing.key, 'kafka.tls.caFile');
    assert.match(missing.message, /\/secrets\/nope\.pem/);
  });

  it('reads the PEM files for kafkajs and keeps the paths for librdkafka', () => {
    const security = resolveKafkaSecurity(
      {
        brokers,
        tls: {
          caFile: '/secrets/ca.pem',
          certFile: '/secrets/client.pem',
          keyFile: '/secrets/client.key',
          insecureSkipVerify: false,
        },
      },
      readFile,
    );
    assert.deepEqual(security.tls, {
      insecureSkipVerify: false,
      caFile: '/secrets/ca.pem',
      caPem: 'CA PEM',
      certFile: '/secrets/client.pem',
      certPem: 'CERT PEM',
      keyFile: '/secrets/client.key',
      keyPem: 'KEY PEM',
    });
  });
});

const fullTls: NonNullable<KafkaSecurity['tls']> = {
  insecureSkipVerify: false,
  caFile: '/secrets/ca.pem',
  caPem: 'CA PEM',
  certFile: '/secrets/client.pem',
  certPem: 'CERT PEM',
  keyFile: '/secrets/client.key',
  keyPem: 'KEY PEM',
};

describe('translation to kafkajs and librdkafka options', () => {
  it('nothing configured: plaintext on both', () => {
    assert.deepEqual(kafkajsSecurityOptions({}), {});
    assert.deepEqual(librdkafkaSecurityProperties({}), { 'security.protocol': 'plaintext' });
  });

  it('TLS with mutual authentication', () => {
    assert.deepEqual(kafkajsSecurityOptions({ tls: fullTls }), {
      ssl: { rejectUnauthorized: true, ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM' },
    });
    assert.deepEqual(librdkafkaSecurityProperties({ tls: fullTls }), {
      'security.protocol': 'ssl',
      'ssl.ca.location': '/secrets/ca.pem',
      'ssl.certificate.location': '/secrets/client.pem',
      'ssl.key.location': '/secrets/client.key',
      'enable.ssl.certificate.verification': 'true',
      'ssl.endpoint.identification.algorithm': 'https',
    });
  });

  it('TLS with the system CAs only: no CA option on either client', () => {
    assert.deepEqual(kafkajsSecurityOptions({ tls: { insecureSkipVerify: false } }), {
      ssl: { rejectUnauthorized: true },
    });
    assert.equal(
      librdkafkaSecurityProperties({ tls: { insecureSkipVerify: false } })['ssl.ca.location'],
      undefined,
    );
  });

  it('insecureSkipVerify turns off chain and host name checks on both', () => {
    const tls = { ...fullTls, insecureSkipVerify: true };
    assert.deepEqual(kafkajsSecurityOptions({ tls }).ssl, {
      rejectUnauthorized: false,
      ca: ['CA PEM'],
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
    const properties = librdkafkaSecurityProperties({ tls });
    assert.equal(properties['enable.ssl.certificate.verification'], 'false');
    assert.equal(properties['ssl.endpoint.identification.algorithm'], 'none');
  });

  for (const [mechanism, librdkafka] of [
    ['plain', 'PLAIN'],
    ['scram-sha-256', 'SCRAM-SHA-256'],
    ['scram-sha-512', 'SCRAM-SHA-512'],
  ] as const) {
    it(`SASL ${mechanism}: sasl_plaintext alone, sasl_ssl with TLS`, () => {
      const sasl = { mechanism, username: 'svc', password: 'pw' };
      assert.deepEqual(kafkajsSecurityOptions({ sasl }), {
        sasl: { mechanism, username: 'svc', password: 'pw' },
      });
      assert.deepEqual(librdkafkaSecurityProperties({ sasl }), {
        'security.protocol': 'sasl_plaintext',
        'sasl.mechanisms': librdkafka,
        'sasl.username': 'svc',
        'sasl.password': 'pw',
      });
      assert.equal(
        librdkafkaSecurityProperties({ sasl, tls: fullTls })['security.protocol'],
        'sasl_ssl',
      );
    });
  }

  it('librdkafka itself accepts every property and value the translation produces', () => {
    for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
      for (const insecureSkipVerify of [false, true]) {
        const properties = librdkafkaSecurityProperties({
          tls: { insecureSkipVerify, caFile: '/secrets/ca.pem' },
          sasl: { mechanism, username: 'svc', password: 'pw' },
        });
        assert.doesNotThrow(() => newConf(properties), JSON.stringify(properties));
      }
    }
  });

  it('warns once about SASL without TLS, and not otherwise', () => {
    const sasl = { mechanism: 'plain' as const, username: 'u', password: 'p' };
    assert.match(kafkaSecurityWarning({ sasl }) ?? '', /unencrypted/);
    assert.equal(kafkaSecurityWarning({ sasl, tls: fullTls }), undefined);
    assert.equal(kafkaSecurityWarning({}), undefined);
  });

  it('knows which librdkafka properties are secrets', () => {
    for (const name of [
      'sasl.password',
      'ssl.key.password',
      'ssl.key.pem',
      'ssl.keystore.password',
    ]) {
      assert.equal(isSecretLibrdkafkaProperty(name), true, name);
    }
    for (const name of ['sasl.username', 'ssl.ca.location', 'security.protocol']) {
      assert.equal(isSecretLibrdkafkaProperty(name), false, name);
    }
  });

  it('a rejected secret property value is not in the error message', () => {
    // security.protocol is not secret, so its bad value may show; a secret one never does.
    assert.throws(() => newConf({ 'security.protocol': 'NOPE' }), /NOPE/);
    // An unknown property whose name says "password": librdkafka refuses it, we hide its value.
    assert.throws(
      () => newConf({ 'sasl.password.typo': 'not-for-the-log' }),
      (error: Error) => {
        assert.match(error.message, /sasl\.password\.typo=\[redacted\]/);
        assert.doesNotMatch(error.message, /not-for-the-log/);
        return true;
      },
    );
  });
});
