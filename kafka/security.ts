import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { PipewatchError } from '../common/index.js';

/**
 * The one translation from pipewatch's `kafka.tls` / `kafka.sasl` settings to the options of
 * both Kafka clients (kafkajs and librdkafka), so every client of the service connects the same
 * way. Everything here is pure: files are read through the `readFile` the caller passes.
 */

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** The shape of `config.kafka` this module reads (kafka/ does not import config/). */
export interface KafkaSecuritySettings {
  /** Empty means the embedded mock cluster, which has neither TLS nor SASL. */
  readonly brokers: readonly string[];
  readonly tls?:
    | {
        readonly caFile?: string | undefined;
        readonly certFile?: string | undefined;
        readonly keyFile?: string | undefined;
        readonly insecureSkipVerify: boolean;
      }
    | undefined;
  readonly sasl?:
    | {
        readonly mechanism: SaslMechanism;
        readonly username: string;
        readonly password?: string | undefined;
        readonly passwordFile?: string | undefined;
      }
    | undefined;
}

/** TLS and SASL settings with every file read: what both clients are built from. */
export interface KafkaSecurity {
  readonly tls?: {
    /** Paths for librdkafka, which reads the files itself. */
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
    /** The same files' PEM text for kafkajs (node:tls takes contents, not paths). */
    readonly caPem?: string;
    readonly certPem?: string;
    readonly keyPem?: string;
    readonly insecureSkipVerify: boolean;
  };
  readonly sasl?: {
    readonly mechanism: SaslMechanism;
    readonly username: string;
    readonly password: string;
  };
}

export type ReadTextFile = (path: string) => string;

function readSetting(readFile: ReadTextFile, key: string, path: string): string {
  try {
    return readFile(path);
  } catch (error) {
    throw new PipewatchError(
      'CONFIG_INVALID',
      `${key}: cannot read ${path}: ${(error as Error).message}`,
      { key, file: path },
      { cause: error },
    );
  }
}

/**
 * Checks the settings against the cluster and reads the files they name. Security settings with
 * the embedded cluster are a config error naming the key: the mock cluster speaks neither TLS
 * nor SASL, and silently dropping credentials would hide a mistaken config.
 */
export function resolveKafkaSecurity(
  settings: KafkaSecuritySettings,
  readFile: ReadTextFile,
): KafkaSecurity {
  const { tls, sasl } = settings;
  if (settings.brokers.length === 0 && (tls || sasl)) {
    const key = tls ? 'kafka.tls' : 'kafka.sasl';
    throw new PipewatchError(
      'CONFIG_INVALID',
      `${key} needs kafka.brokers: the embedded mock cluster (no brokers configured) has no ` +
        'TLS or SASL; remove the block or configure the brokers it is for',
      { key },
    );
  }
  const security: { -readonly [K in keyof KafkaSecurity]: KafkaSecurity[K] } = {};
  if (tls) {
    const pem = (name: 'caFile' | 'certFile' | 'keyFile') => {
      const path = tls[name];
      return path === undefined ? undefined : readSetting(readFile, `kafka.tls.${name}`, path);
    };
    const [caPem, certPem, keyPem] = [pem('caFile'), pem('certFile'), pem('keyFile')];
    security.tls = {
      insecureSkipVerify: tls.insecureSkipVerify,
      ...(tls.caFile !== undefined && caPem !== undefined ? { caFile: tls.caFile, caPem } : {}),
      ...(tls.certFile !== undefined && certPem !== undefined
        ? { certFile: tls.certFile, certPem }
        : {}),
      ...(tls.keyFile !== undefined && keyPem !== undefined
        ? { keyFile: tls.keyFile, keyPem }
        : {}),
    };
  }
  if (sasl) {
    const password =
      sasl.password ??
      readSetting(readFile, 'kafka.sasl.passwordFile', sasl.passwordFile ?? '').replace(
        /\r?\n$/,
        '',
      );
    if (password.length === 0) {
      throw new PipewatchError('CONFIG_INVALID', 'kafka.sasl.passwordFile: the file is empty', {
        key: 'kafka.sasl.passwordFile',
      });
    }
    security.sasl = { mechanism: sasl.mechanism, username: sasl.username, password };
  }
  return security;
}

/** kafkajs' `ssl` and `sasl` client options. */
export function kafkajsSecurityOptions(security: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { tls, sasl } = security;
  const options: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (tls) {
    options.ssl = {
      // node:tls checks the chain and the host name unless told not to.
      rejectUnauthorized: !tls.insecureSkipVerify,
      ...(tls.caPem !== undefined ? { ca: [tls.caPem] } : {}),
      ...(tls.certPem !== undefined ? { cert: tls.certPem } : {}),
      ...(tls.keyPem !== undefined ? { key: tls.keyPem } : {}),
    };
  }
  if (sasl) {
    // One literal per mechanism: kafkajs' SASLOptions is a union discriminated by mechanism.
    const { username, password } = sasl;
    const byMechanism: Record<SaslMechanism, SASLOptions> = {
      plain: { mechanism: 'plain', username, password },
      'scram-sha-256': { mechanism: 'scram-sha-256', username, password },
      'scram-sha-512': { mechanism: 'scram-sha-512', username, password },
    };
    options.sasl = byMechanism[sasl.mechanism];
  }
  return options;
}

const librdkafkaMechanism: Record<SaslMechanism, string> = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};

/** librdkafka configuration properties for the same settings. */
export function librdkafkaSecurityProperties(security: KafkaSecurity): Record<string, string> {
  const { tls, sasl } = security;
  const protocol = tls ? (sasl ? 'sasl_ssl' : 'ssl') : sasl ? 'sasl_plaintext' : 'plaintext';
  const properties: Record<string, string> = { 'security.protocol': protocol };
  if (tls) {
    if (tls.caFile !== undefined) properties['ssl.ca.location'] = tls.caFile;
    if (tls.certFile !== undefined) properties['ssl.certificate.location'] = tls.certFile;
    if (tls.keyFile !== undefined) properties['ssl.key.location'] = tls.keyFile;
    // librdkafka >= 2.0 verifies the chain and the broker host name by default; say so anyway.
    properties['enable.ssl.certificate.verification'] = tls.insecureSkipVerify ? 'false' : 'true';
    properties['ssl.endpoint.identification.algorithm'] = tls.insecureSkipVerify ? 'none' : 'https';
  }
  if (sasl) {
    properties['sasl.mechanisms'] = librdkafkaMechanism[sasl.mechanism];
    properties['sasl.username'] = sasl.username;
    properties['sasl.password'] = sasl.password;
  }
  return properties;
}

/** librdkafka properties whose values are secrets: never put them in a message or a log line. */
export function isSecretLibrdkafkaProperty(name: string): boolean {
  return /password|secret|\.pem$|sasl\.oauthbearer\.config/.test(name);
}

/**
 * One line worth a warning at start-up, or undefined: SASL without TLS sends PLAIN passwords
 * (and every record) in clear text over the network.
 */
export function kafkaSecurityWarning(security: KafkaSecurity): string | undefined {
  if (security.sasl && !security.tls) {
    return (
      `kafka.sasl without kafka.tls: ${librdkafkaMechanism[security.sasl.mechanism]} ` +
      'authentication and all data travel unencrypted'
    );
  }
  return undefined;
}
