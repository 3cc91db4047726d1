import { PipewatchError } from '../../common/index.js';

export interface RegistryHttpOptions {
  /** Base URL of a Confluent-compatible schema registry, e.g. http://127.0.0.1:8081. */
  readonly url: string;
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

/** The registry calls the wire decoder needs; `undefined` means "the registry said 404". */
export interface RegistryHttp {
  readonly url: string;
  schemaById(id: number): Promise<RegisteredSchema | undefined>;
  /** Live (subject, version) pairs using the id; empty when the id is unknown. */
  subjectsOfSchema(id: number): Promise<readonly SubjectVersion[]>;
  latestVersion(subject: string): Promise<LatestVersion | undefined>;
  /** Would `schema` pass the subject's current level against `version` (a number or latest)? */
  testCompatibility(
    subject: string,
    version: number | 'latest',
    schema: string,
  ): Promise<CompatibilityAnswer | undefined>;
}

const contentType = 'application/vnd.schemaregistry.v1+json';

/**
 * A plain-fetch client of the Confluent REST API. Network errors, timeouts and statuses other
 * than 2xx and 404 throw SCHEMA_REGISTRY_UNAVAILABLE: the caller keeps going and retries later.
 */
export function createRegistryHttp(options: RegistryHttpOptions): RegistryHttp {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 2000;

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { accept: contentType, ...(body ? { 'content-type': contentType } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const cause = error as Error & { cause?: { code?: string } };
      const reason = cause.cause?.code ?? cause.message;
      throw new PipewatchError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema registry ${base} unreachable for ${method} ${path}: ${reason}`,
        { url: base, path },
        { cause: error },
      );
    }
    // Only a Confluent "not found" (404xx) is an answer; any other 404 means a wrong URL.
    if (response.status === 404 && confluentNotFound(text)) return undefined;
    if (!response.ok) {
      throw new PipewatchError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema registry ${base} answered HTTP ${response.status} for ${method} ${path}: ${text.slice(0, 200)}`,
        { url: base, path, status: response.status },
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new PipewatchError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema registry ${base} answered ${method} ${path} with a body that is not JSON`,
        { url: base, path },
      );
    }
  };

  return {
    url: base,
    async schemaById(id) {
      const body = (await call('GET', `/schemas/ids/${id}`)) as
        { schema?: unknown; schemaType?: unknown } | undefined;
      if (body === undefined) return undefined;
      if (typeof body.schema !== 'string') {
        throw new PipewatchError(
          'SCHEMA_REGISTRY_UNAVAILABLE',
          `schema registry ${base} answered GET /schemas/ids/${id} without a "schema" string`,
          { url: base, id },
        );
      }
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
        throw new PipewatchError(
          'SCHEMA_REGISTRY_UNAVAILABLE',
          `schema registry ${base} answered GET ${path} without version, id and schema`,
          { url: base, subject },
        );
      }
      return { subject, version, id, schema };
    },
    async testCompatibility(subject, version, schema) {
      const path = `/compatibility/subjects/${encodeURIComponent(subject)}/versions/${version}?verbose=true`;
      const body = (await call('POST', path, { schema })) as
        { is_compatible?: unknown; messages?: unknown } | undefined;
      if (body === undefined) return undefined;
      const messages = Array.isArray(body.messages) ? body.messages.map(String) : [];
      return { compatible: body.is_compatible === true, messages };
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
