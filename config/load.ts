import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { ZodIssue } from 'zod';
import { PipewatchError } from '../common/index.js';
import { configSchema, type Config } from './schema.js';

/** PIPEWATCH_* variables and the config key each one overrides. */
const environmentKeys: Readonly<Record<string, { path: readonly string[]; parse: EnvParser }>> = {
  PIPEWATCH_KAFKA_BROKERS: { path: ['kafka', 'brokers'], parse: (v) => splitList(v) },
  PIPEWATCH_KAFKA_SASL_MECHANISM: { path: ['kafka', 'sasl', 'mechanism'], parse: (v) => v },
  PIPEWATCH_KAFKA_SASL_USERNAME: { path: ['kafka', 'sasl', 'username'], parse: (v) => v },
  PIPEWATCH_KAFKA_SASL_PASSWORD: { path: ['kafka', 'sasl', 'password'], parse: (v) => v },
  PIPEWATCH_KAFKA_SASL_PASSWORD_FILE: {
    path: ['kafka', 'sasl', 'passwordFile'],
    parse: (v) => v,
  },
  PIPEWATCH_KAFKA_TLS_CA_FILE: { path: ['kafka', 'tls', 'caFile'], parse: (v) => v },
  PIPEWATCH_HTTP_HOST: { path: ['http', 'host'], parse: (v) => v },
  PIPEWATCH_HTTP_PORT: { path: ['http', 'port'], parse: (v) => parseNumber(v) },
  PIPEWATCH_REGISTRY_HOST: { path: ['registry', 'host'], parse: (v) => v },
  PIPEWATCH_REGISTRY_PORT: { path: ['registry', 'port'], parse: (v) => parseNumber(v) },
  PIPEWATCH_REGISTRY_URL: { path: ['registry', 'url'], parse: (v) => v },
  PIPEWATCH_REGISTRY_USERNAME: { path: ['registry', 'basicAuth', 'username'], parse: (v) => v },
  PIPEWATCH_REGISTRY_PASSWORD: { path: ['registry', 'basicAuth', 'password'], parse: (v) => v },
  PIPEWATCH_REGISTRY_PASSWORD_FILE: {
    path: ['registry', 'basicAuth', 'passwordFile'],
    parse: (v) => v,
  },
  PIPEWATCH_DATA_DIR: { path: ['dataDir'], parse: (v) => v },
  PIPEWATCH_LOG_LEVEL: { path: ['logLevel'], parse: (v) => v },
  PIPEWATCH_API_TOKEN: { path: ['http', 'auth', 'tokens'], parse: (v) => splitList(v) },
  PIPEWATCH_KAFKA_MOCK_CLUSTER: { path: ['kafka', 'mockCluster'], parse: (v) => parseBoolean(v) },
};
/** Variables with this prefix belong to the test suite, not to the service. */
const ignoredEnvironmentPrefixes = ['PIPEWATCH_TEST_'];

type EnvParser = (value: string) => unknown;

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function parseBoolean(value: string): unknown {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
}

function parseNumber(value: string): unknown {
  const n = Number(value);
  return value.trim() !== '' && Number.isFinite(n) ? n : value;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function describeIssue(issue: ZodIssue, source: Map<string, string>): string {
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const base = issue.path.join('.');
  if (keys.length > 0) {
    const named = keys.map((k) => (base ? `${base}.${k}` : k)).join(', ');
    return `unknown key ${named}`;
  }
  // An element's issue (tokens.0) comes from the variable that set the list (tokens).
  const origin = source.get(base) ?? [...source].find(([path]) => base.startsWith(`${path}.`))?.[1];
  return `${base || '(root)'}: ${issue.message}${origin ? ` (from ${origin})` : ''}`;
}

/**
 * Validates a raw configuration object with environment overrides applied, and freezes it.
 * Pure: the caller reads the file and passes the environment.
 */
export function parseConfig(
  raw: unknown,
  environment: Readonly<Record<string, string | undefined>>,
  fileLabel = 'configuration',
): Readonly<Config> {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new PipewatchError('CONFIG_INVALID', `${fileLabel}: the top level must be a mapping`);
  }
  const merged = structuredClone((raw ?? {}) as Record<string, unknown>);
  const origins = new Map<string, string>();
  for (const [name, value] of Object.entries(environment)) {
    if (!name.startsWith('PIPEWATCH_') || value === undefined) continue;
    if (ignoredEnvironmentPrefixes.some((p) => name.startsWith(p))) continue;
    const entry = environmentKeys[name];
    if (!entry) {
      throw new PipewatchError(
        'CONFIG_INVALID',
        `unknown environment variable ${name}; known: ${Object.keys(environmentKeys).join(', ')}`,
        { key: name },
      );
    }
    setPath(merged, entry.path, entry.parse(value));
    origins.set(entry.path.join('.'), name);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const first = result.error.issues[0];
    const messages = result.error.issues.map((i) => describeIssue(i, origins));
    const key =
      first?.code === 'unrecognized_keys'
        ? [...first.path, first.keys[0]].join('.')
        : (first?.path.join('.') ?? '');
    throw new PipewatchError('CONFIG_INVALID', `${fileLabel}: ${messages.join('; ')}`, {
      key,
      issues: messages,
    });
  }
  return deepFreeze(result.data);
}

/** Reads the YAML file (if any), applies the environment, validates and freezes. */
export function loadConfig(
  filePath: string | undefined,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): Readonly<Config> {
  let raw: unknown = {};
  if (filePath !== undefined) {
    let text: string;
    try {
      text = readFileSync(filePath, 'utf8');
    } catch (error) {
      throw new PipewatchError(
        'CONFIG_FILE_UNREADABLE',
        `cannot read config file ${filePath}: ${(error as Error).message}`,
        { file: filePath },
        { cause: error },
      );
    }
    try {
      raw = parseYaml(text);
    } catch (error) {
      throw new PipewatchError(
        'CONFIG_FILE_UNREADABLE',
        `${filePath} is not valid YAML: ${(error as Error).message}`,
        { file: filePath },
        { cause: error },
      );
    }
  }
  return parseConfig(raw, environment, filePath ?? 'configuration');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
