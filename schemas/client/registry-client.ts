/**
 * The one client of a Confluent-compatible schema registry inside pipewatch: the taps' wire
 * decoder, the `schema check` CI gate and the reference pipeline's Avro codec all use it, so
 * credentials and error handling are the same everywhere.
 *
 * Credentials: `basicAuth`, or user-info in the URL (`https://key:secret@host`, Confluent's
 * `basic.auth.credentials.source=URL`), become a Basic Authorization header; fetch refuses URLs
 * that carry credentials, and `url` (used in every message) never shows them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PipewatchError } from '../../common/index.js';
import {
  defaultRegistryRetries,
  defaultRetryBackoffMs,
  isRetryableStatus,
  retryDelayMs,
  type RegistryRetryOptions,
} from './retry.js';

export interface RegistryBasicAuth {
  readonly username: string;
  readonly password: string;
}

export interface RegistryClientOptions extends RegistryRetryOptions {
  /** Base URL, e.g. http://127.0.0.1:8081; may carry user-info credentials. */
  readonly url: string;
  /** Wins over user-info in the URL. */
  readonly basicAuth?: RegistryBasicAuth;
  /** Per-request timeout in milliseconds. Default 2000. */
  readonly timeoutMs?: number;
}

export interface RegisteredSchema {
  readonly schema: string;
  /** AVRO when the registry omits it (Confluent does for Avro). */
  readonly schemaType: string;
}

export interface CompatibilityAnswer {
  readonly compatible: boolean;
  readonly messages: readonly string[];
}

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
}

export interface LatestVersion extends SubjectVersion {
  readonly id: number;
  readonly schema: string;
}

export interface VersionedSchema extends LatestVersion {
  readonly schemaType: string;
  /** Schema references as the registry lists them; [] when none. */
  readonly references: readonly unknown[];
}

/**
 * Registry calls; `undefined` means "the registry said 404 with a Confluent not-found code".
 * Network errors, timeouts, 401/403 and other statuses throw SCHEMA_REGISTRY_UNAVAILABLE; network
 * errors, timeouts, 5xx and 429 only after the bounded retries (./retry.ts) failed too.
 */
export interface RegistryClient {
  /** The base URL without credentials. */
  readonly url: string;
  schemaById(id: number): Promise<RegisteredSchema | undefined>;
  /** Live (subject, version) pairs using the id; empty when the id is unknown. */
  subjectsOfSchema(id: number): Promise<readonly SubjectVersion[]>;
  latestVersion(subject: string): Promise<LatestVersion | undefined>;
  /** Names of the live subjects. */
  subjects(): Promise<readonly string[]>;
  /** Live version numbers of the subject, ascending; undefined when the subject is unknown. */
  versionNumbers(subject: string): Promise<readonly number[] | undefined>;
  version(subject: string, version: number): Promise<VersionedSchema | undefined>;
  /** The subject's own level; undefined when it has none (it follows the global level). */
  subjectLevel(subject: string): Promise<string | undefined>;
  globalLevel(): Promise<string | undefined>;
  /** Would `schema` pass the subject's current level against `version` (a number or latest)? */
  testCompatibility(
    subject: string,
    version: number | 'latest',
    schema: string,
  ): Promise<CompatibilityAnswer | undefined>;
  /** Registers (or finds) the schema under the subject; resolves with its global id. */
  register(subject: string, schema: string, schemaType?: string): Promise<{ id: number }>;
}

const contentType = 'application/vnd.schemaregistry.v1+json';
const accept = `${contentType}, application/json`;

/** The URL without user-info, for messages and logs. Unparseable input is returned as `(invalid URL)`. */
export function redactRegistryUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/+$/, '');
  } catch {
    return '(invalid URL)';
  }
}

function parseBase(options: RegistryClientOptions): { base: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new PipewatchError(
      'USAGE',
      `schema registry URL '${redactRegistryUrl(options.url)}' is not a valid URL`,
    );
  }
  let credentials = options.basicAuth;
  if (!credentials && parsed.username !== '') {
    credentials = {
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    };
  }
  parsed.username = '';
  parsed.password = '';
  const base = parsed.toString().replace(/\/+$/, '');
  if (!credentials) return { base };
  const token = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return { base, authorization: `Basic ${token}` };
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const { base, authorization } = parseBase(options);
  const timeoutMs = options.timeoutMs ?? 2000;
  const unexpected = (method: string, path: string, wanted: string) =>
    new PipewatchError(
      'SCHEMA_REGISTRY_UNAVAILABLE',
      `schema registry ${base} answered ${method} ${path} without ${wanted}`,
      { url: base, path },
    );

  const retries = Math.max(0, Math.floor(options.retries ?? defaultRegistryRetries));
  const backoffMs = options.retryBackoffMs ?? defaultRetryBackoffMs;
  const random = options.random ?? Math.random;

  /** One request, retried while it fails in a way worth retrying (./retry.ts). */
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    for (let attempt = 0; ; attempt++) {
      const outcome = await attemptCall(method, path, body);
      if (outcome.ok) return outcome.value;
      if (!outcome.retryable || attempt >= retries) {
        const { message, details, cause } = outcome;
        throw new PipewatchError(
          'SCHEMA_REGISTRY_UNAVAILABLE',
          attempt === 0 ? message : `${message} (after ${attempt + 1} attempts)`,
          attempt === 0 ? details : { ...details, attempts: attempt + 1 },
          cause === undefined ? undefined : { cause },
        );
      }
      await sleep(retryDelayMs(attempt + 1, backoffMs, random, outcome.retryAfter));
    }
  };

  type Outcome =
    | { readonly ok: true; readonly value: unknown }
    | {
        readonly ok: false;
        readonly message: string;
        readonly details: Record<string, unknown>;
        readonly cause?: unknown;
        readonly retryable: boolean;
        readonly retryAfter?: string | null;
      };

  const attemptCall = async (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<Outcome> => {
    const fail = (
      message: string,
      details: Record<string, unknown>,
      retryable = false,
      extra: { retryAfter?: string | null; cause?: unknown } = {},
    ): Outcome => ({ ok: false, message, details, retryable, ...extra });
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          accept,
          ...(body ? { 'content-type': contentType } : {}),
          ...(authorization ? { authorization } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const cause = error as Error & { cause?: { code?: string } };
      const reason = cause.cause?.code ?? cause.message;
      return fail(
        `schema registry ${base} unreachable for ${method} ${path}: ${reason}`,
        { url: base, path },
        true,
        { cause: error },
      );
    }
    // Only a Confluent "not found" (404xx) is an answer; any other 404 means a wrong URL.
    if (response.status === 404 && confluentNotFound(text)) return { ok: true, value: undefined };
    if (response.status === 401 || response.status === 403) {
      const what = authorization ? 'rejected the credentials' : 'needs credentials';
      return fail(
        `schema registry ${base} ${what} (HTTP ${response.status} for ${method} ${path}); ` +
          'set registry.basicAuth (PIPEWATCH_REGISTRY_USERNAME and PIPEWATCH_REGISTRY_PASSWORD ' +
          'or PIPEWATCH_REGISTRY_PASSWORD_FILE) or user-info in the URL',
        { url: base, path, status: response.status, auth: true },
      );
    }
    if (!response.ok) {
      return fail(
        `schema registry ${base} answered HTTP ${response.status} for ${method} ${path}: ${text.slice(0, 200)}`,
        { url: base, path, status: response.status },
        isRetryableStatus(response.status),
        { retryAfter: response.headers.get('retry-after') },
      );
    }
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return fail(`schema registry ${base} answered ${method} ${path} without a JSON body`, {
        url: base,
        path,
      });
    }
  };

  const levelAt = async (path: string) => {
    const body = (await call('GET', path)) as { compatibilityLevel?: unknown } | undefined;
    if (body === undefined) return undefined;
    if (typeof body.compatibilityLevel !== 'string') {
      throw unexpected('GET', path, 'a {"compatibilityLevel": ...} object');
    }
    return body.compatibilityLevel;
  };

  return {
    url: base,
    async schemaById(id) {
      const path = `/schemas/ids/${id}`;
      const body = (await call('GET', path)) as
        { schema?: unknown; schemaType?: unknown } | undefined;
      if (body === undefined) return undefined;
      if (typeof body.schema !== 'string') throw unexpected('GET', path, 'a "schema" string');
      const schemaType = typeof body.schemaType === 'string' ? body.schemaType : 'AVRO';
      return { schema: body.schema, schemaType };
    },
    async subjectsOfSchema(id) {
      const body = await call('GET', `/schemas/ids/${id}/versions`);
      if (!Array.isArray(body)) return [];
      return body.filter(
        (entry): entry is SubjectVersion =>
          typeof (entry as SubjectVersion).subject === 'string' &&
          typeof (entry as SubjectVersion).version === 'number',
      );
    },
    async latestVersion(subject) {
      const path = `/subjects/${encodeURIComponent(subject)}/versions/latest`;
      const body = (await call('GET', path)) as Partial<LatestVersion> | undefined;
      if (body === undefined) return undefined;
      const { version, id, schema } = body;
      if (typeof version !== 'number' || typeof id !== 'number' || typeof schema !== 'string') {
        throw unexpected('GET', path, 'version, id and schema');
      }
      return { subject, version, id, schema };
    },
    async subjects() {
      const list = await call('GET', '/subjects');
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
        throw unexpected('GET', '/subjects', 'a JSON array of subject names');
      }
      return list;
    },
    async versionNumbers(subject) {
      const path = `/subjects/${encodeURIComponent(subject)}/versions`;
      const list = await call('GET', path);
      if (list === undefined) return undefined;
      if (!Array.isArray(list) || !list.every((v) => Number.isInteger(v))) {
        throw unexpected('GET', path, 'a JSON array of version numbers');
      }
      return (list as number[]).slice().sort((a, b) => a - b);
    },
    async version(subject, version) {
      const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
      const body = (await call('GET', path)) as
        { id?: unknown; schema?: unknown; schemaType?: unknown; references?: unknown } | undefined;
      if (body === undefined) return undefined;
      if (typeof body.schema !== 'string' || typeof body.id !== 'number') {
        throw unexpected('GET', path, 'a {"id": ..., "schema": "..."} object');
      }
      return {
        subject,
        version,
        id: body.id,
        schema: body.schema,
        schemaType: typeof body.schemaType === 'string' ? body.schemaType : 'AVRO',
        references: Array.isArray(body.references) ? body.references : [],
      };
    },
    subjectLevel: (subject) => levelAt(`/config/${encodeURIComponent(subject)}`),
    globalLevel: () => levelAt('/config'),
    async testCompatibility(subject, version, schema) {
      const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`;
      const body = (await call('POST', path, { schema })) as
        { is_compatible?: unknown; messages?: unknown } | undefined;
      if (body === undefined) return undefined;
      const messages = Array.isArray(body.messages) ? body.messages.map(String) : [];
      return { compatible: body.is_compatible === true, messages };
    },
    async register(subject, schema, schemaType = 'AVRO') {
      const path = `/subjects/${encodeURIComponent(subject)}/versions`;
      // Confluent omits schemaType for Avro; sending it is accepted by every registry version.
      const body = (await call('POST', path, { schema, schemaType })) as
        { id?: unknown } | undefined;
      if (body === undefined || typeof body.id !== 'number') {
        throw unexpected('POST', path, 'an {"id": ...} object');
      }
      return { id: body.id };
    },
  };
}

function confluentNotFound(text: string): boolean {
  try {
    const code = (JSON.parse(text) as { error_code?: unknown }).error_code;
    return typeof code === 'number' && code >= 40400 && code <= 40499;
  } catch {
    return false;
  }
}
