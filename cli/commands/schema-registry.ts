/**
 * The few Confluent Schema Registry REST calls the CI gate needs: a subject's versions, each
 * version's schema text, and the subject's compatibility level (falling back to the global
 * level when the subject has no own config). Credentials in the URL (`https://key:secret@host`)
 * become a Basic Authorization header, since fetch refuses URLs that carry credentials.
 */
import { PipewatchError } from '../../common/index.js';
import { isCompatibilityLevel, type CompatibilityLevel } from '../../schemas/index.js';

/** How long one registry request may take. */
const requestTimeoutMs = 10_000;
const accept = 'application/vnd.schemaregistry.v1+json, application/json';

export interface SubjectVersion {
  readonly version: number;
  readonly schemaText: string;
}

export class RegistryClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new PipewatchError('USAGE', `--registry '${url}' is not a valid URL`);
    }
    this.headers = { accept };
    if (parsed.username !== '') {
      const user = decodeURIComponent(parsed.username);
      const secret = decodeURIComponent(parsed.password);
      this.headers.authorization = `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
      parsed.username = '';
      parsed.password = '';
    }
    this.base = parsed.toString().replace(/\/+$/, '');
  }

  /** All versions of the subject, oldest first; none when the subject does not exist yet. */
  async versions(subject: string): Promise<SubjectVersion[]> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions`;
    const list = await this.get(path);
    if (list === undefined) return [];
    if (!Array.isArray(list) || !list.every((v) => Number.isInteger(v))) {
      throw this.unexpected(path, 'a JSON array of version numbers');
    }
    const numbers = (list as number[]).slice().sort((a, b) => a - b);
    return Promise.all(numbers.map((version) => this.version(subject, version)));
  }

  /** The subject's level, else the registry's global level. */
  async compatibilityLevel(subject: string): Promise<CompatibilityLevel> {
    const own = await this.get(`/config/${encodeURIComponent(subject)}`);
    const config = own ?? (await this.get('/config'));
    const level = (config as { compatibilityLevel?: unknown } | undefined)?.compatibilityLevel;
    if (!isCompatibilityLevel(level)) {
      throw this.unexpected('/config', 'a {"compatibilityLevel": ...} with a known level');
    }
    return level;
  }

  private async version(subject: string, version: number): Promise<SubjectVersion> {
    const path = `/subjects/${encodeURIComponent(subject)}/versions/${version}`;
    const body = (await this.get(path)) as
      { schema?: unknown; schemaType?: unknown; references?: unknown } | undefined;
    if (typeof body?.schema !== 'string') throw this.unexpected(path, 'a {"schema": "..."} object');
    if (body.schemaType !== undefined && body.schemaType !== 'AVRO') {
      throw new PipewatchError(
        'USAGE',
        `subject '${subject}' version ${version} is a ${JSON.stringify(body.schemaType)} schema; only Avro is supported`,
      );
    }
    if (Array.isArray(body.references) && body.references.length > 0) {
      throw new PipewatchError(
        'USAGE',
        `subject '${subject}' version ${version} uses schema references, which are not supported`,
      );
    }
    return { version, schemaText: body.schema };
  }

  /** The JSON body, or undefined on 404 (Confluent's 40401/40403/40408 "not found" answers). */
  private async get(path: string): Promise<unknown> {
    const url = `${this.base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: this.headers,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new PipewatchError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `cannot reach the schema registry at ${url}: ${(error as Error).message}`,
        { url },
        { cause: error },
      );
    }
    if (response.status === 404) return undefined;
    const text = await response.text();
    if (!response.ok) {
      throw new PipewatchError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `the schema registry answered GET ${path} with HTTP ${response.status}: ${text.slice(0, 200)}`,
        { url, status: response.status },
      );
    }
    try {
      return JSON.parse(text);
    } catch {
      throw this.unexpected(path, 'JSON');
    }
  }

  private unexpected(path: string, wanted: string): PipewatchError {
    return new PipewatchError(
      'SCHEMA_REGISTRY_UNAVAILABLE',
      `the schema registry answered GET ${path} with something other than ${wanted}`,
      { url: `${this.base}${path}` },
    );
  }
}
