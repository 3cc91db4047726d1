import avro from 'avsc';
import { isPipewatchError } from '../../common/index.js';
import type { RegistryHttp } from './registry-http.js';

/** Label values of pipewatch_schema_violations_total{kind}; stable, snake_case. */
export const wireViolationKinds = [
  'no_magic_byte',
  'unknown_schema_id',
  'wrong_subject',
  'undecodable_payload',
  'incompatible_schema',
  'invalid_json',
  'null_value',
] as const;
export type WireViolationKind = (typeof wireViolationKinds)[number];

/** Not the producer's fault: counted apart from violations (pipewatch_schema_lookup_failures_total). */
export const registryUnavailableKind = 'registry_unavailable';

/** What the registry says about records written with schema `id` on a topic of `subject`. */
export type Resolution =
  | { readonly kind: 'ok'; readonly type: avro.Type }
  | { readonly kind: 'violation'; readonly violation: WireViolationKind; readonly message: string }
  | { readonly kind: typeof registryUnavailableKind; readonly message: string };

export interface SchemaResolverOptions {
  readonly registry: RegistryHttp;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** How long "id not registered" is believed, in milliseconds. Default 10000. */
  readonly unknownIdTtlMs?: number;
  /** How long a (subject, id) verdict (membership + compatibility) is reused, ms. Default 60000. */
  readonly verdictTtlMs?: number;
  /** After a failed lookup, answer registry_unavailable without calling for this long, ms. Default 1000. */
  readonly retryAfterMs?: number;
  /** Unknown-id verdicts kept at most (garbage ids are unbounded); oldest dropped. Default 10000. */
  readonly maxUnknownIds?: number;
}

type SchemaEntry =
  | { readonly kind: 'schema'; readonly type: avro.Type; readonly text: string }
  | { readonly kind: 'unusable'; readonly message: string }
  | { readonly kind: 'unknown' };

interface VerdictEntry {
  readonly resolution: Resolution;
  readonly expiresAtMs: number;
}

/**
 * Resolves Confluent schema ids against a registry, with caches sized by what is immutable:
 * an id's schema is cached forever (ids never change meaning), "unknown id" for a short TTL so a
 * later registration is seen, and the (subject, id) verdict — is the id one of the subject's
 * versions, and would its schema pass the subject's level against the latest version — for a
 * longer TTL, since new versions and level changes alter it. An expired verdict is still served
 * while the registry is down (stale-if-error); a registry outage never throws out of here.
 */
export class SchemaResolver {
  private readonly registry: RegistryHttp;
  private readonly clock: () => number;
  private readonly unknownIdTtlMs: number;
  private readonly verdictTtlMs: number;
  private readonly retryAfterMs: number;
  private readonly schemas = new Map<number, SchemaEntry>();
  /** subject → schema id → verdict; two levels so the per-record hit builds no key string. */
  private readonly verdicts = new Map<string, Map<number, VerdictEntry>>();
  private readonly inFlight = new Map<string, Promise<Resolution>>();
  /** Insertion-ordered (subject, id) pairs with an unknown_schema_id verdict, to bound them. */
  private readonly unknownIds = new Map<string, { subject: string; id: number }>();
  private readonly maxUnknownIds: number;
  private unavailableUntilMs = 0;
  private lastFailure = '';

  constructor(options: SchemaResolverOptions) {
    this.registry = options.registry;
    this.clock = options.clock ?? Date.now;
    this.unknownIdTtlMs = options.unknownIdTtlMs ?? 10_000;
    this.verdictTtlMs = options.verdictTtlMs ?? 60_000;
    this.retryAfterMs = options.retryAfterMs ?? 1000;
    this.maxUnknownIds = options.maxUnknownIds ?? 10_000;
  }

  /** The cached, still fresh verdict, without I/O; undefined when a lookup is needed. */
  cached(subject: string, id: number): Resolution | undefined {
    const entry = this.verdicts.get(subject)?.get(id);
    return entry && entry.expiresAtMs > this.clock() ? entry.resolution : undefined;
  }

  resolve(subject: string, id: number): Promise<Resolution> {
    const fresh = this.cached(subject, id);
    if (fresh) return Promise.resolve(fresh);
    const key = verdictKey(subject, id);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.lookup(subject, id).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookup(subject: string, id: number): Promise<Resolution> {
    const stale = this.verdicts.get(subject)?.get(id);
    const nowMs = this.clock();
    if (nowMs < this.unavailableUntilMs) return stale?.resolution ?? this.unavailable();
    try {
      const resolution = await this.judge(subject, id);
      let bySubject = this.verdicts.get(subject);
      if (!bySubject) {
        bySubject = new Map();
        this.verdicts.set(subject, bySubject);
      }
      bySubject.set(id, { resolution, expiresAtMs: this.clock() + this.ttlOf(resolution) });
      this.boundUnknownIds(subject, id, resolution);
      return resolution;
    } catch (error) {
      if (!isPipewatchError(error) || error.code !== 'SCHEMA_REGISTRY_UNAVAILABLE') throw error;
      this.lastFailure = error.message;
      this.unavailableUntilMs = this.clock() + this.retryAfterMs;
      return stale?.resolution ?? this.unavailable();
    }
  }

  private boundUnknownIds(subject: string, id: number, resolution: Resolution) {
    const key = verdictKey(subject, id);
    this.unknownIds.delete(key);
    if (resolution.kind !== 'violation' || resolution.violation !== 'unknown_schema_id') return;
    this.unknownIds.set(key, { subject, id });
    while (this.unknownIds.size > this.maxUnknownIds) {
      const [oldestKey, oldest] = this.unknownIds.entries().next().value!;
      this.unknownIds.delete(oldestKey);
      this.verdicts.get(oldest.subject)?.delete(oldest.id);
    }
  }

  private unavailable(): Resolution {
    return { kind: registryUnavailableKind, message: this.lastFailure };
  }

  private ttlOf(resolution: Resolution): number {
    // An unknown id is re-asked sooner than a verdict on a registered one.
    const unknown = resolution.kind === 'violation' && resolution.violation === 'unknown_schema_id';
    return unknown ? this.unknownIdTtlMs : this.verdictTtlMs;
  }

  /**
   * The verdict on writer schema `id` for `subject`, asked of the registry (it knows the level
   * and runs the checker):
   * - a version of the subject: fine when it is the latest; an older one is fine when the latest
   *   version would pass the subject's CURRENT level registered after it (POST
   *   /compatibility/subjects/{s}/versions/{v} with the latest schema). This catches versions
   *   registered under a laxer level, and never flags an ordinary evolution (a field removed
   *   under BACKWARD leaves old records readable and is not reported).
   * - not a version of the subject: incompatible_schema when the writer schema would be refused
   *   as the subject's next version (POST .../versions/latest with it), else wrong_subject.
   */
  private async judge(subject: string, id: number): Promise<Resolution> {
    const schema = await this.schema(id);
    if (schema.kind === 'unknown') {
      return violation(
        'unknown_schema_id',
        `schema id ${id} is not registered in ${this.registry.url}`,
      );
    }
    if (schema.kind === 'unusable') return violation('undecodable_payload', schema.message);
    const uses = await this.registry.subjectsOfSchema(id);
    const own = uses.filter((u) => u.subject === subject).map((u) => u.version);
    if (own.length > 0) {
      const latest = await this.registry.latestVersion(subject);
      if (!latest || latest.id === id) return { kind: 'ok', type: schema.type };
      const version = Math.max(...own);
      const answer = await this.registry.testCompatibility(subject, version, latest.schema);
      if (answer && !answer.compatible) {
        return violation(
          'incompatible_schema',
          `schema id ${id} is version ${version} of "${subject}", and the latest version ${latest.version} fails the subject's level against it: ${describe(answer.messages)}`,
        );
      }
      return { kind: 'ok', type: schema.type };
    }
    const elsewhere = uses.map((u) => `${u.subject} v${u.version}`).join(', ');
    const answer = await this.registry.testCompatibility(subject, 'latest', schema.text);
    if (answer && !answer.compatible) {
      return violation(
        'incompatible_schema',
        `schema id ${id} (registered under [${elsewhere}]) would be refused by subject "${subject}" at its level: ${describe(answer.messages)}`,
      );
    }
    return violation(
      'wrong_subject',
      `schema id ${id} is registered under [${elsewhere}], not under subject "${subject}"`,
    );
  }

  private async schema(id: number): Promise<SchemaEntry> {
    const cached = this.schemas.get(id);
    if (cached) return cached;
    const registered = await this.registry.schemaById(id);
    // Not kept: the (subject, id) verdict remembers an unknown id for its shorter TTL.
    if (!registered) return { kind: 'unknown' };
    let entry: SchemaEntry;
    if (registered.schemaType !== 'AVRO') {
      entry = {
        kind: 'unusable',
        message: `schema id ${id} is a ${registered.schemaType} schema; only AVRO payloads are decoded`,
      };
    } else {
      entry = parseAvro(id, registered.schema);
    }
    this.schemas.set(id, entry);
    return entry;
  }
}

function parseAvro(id: number, text: string): SchemaEntry {
  try {
    const type = avro.Type.forSchema(JSON.parse(text) as avro.Schema);
    return { kind: 'schema', type, text };
  } catch (error) {
    return {
      kind: 'unusable',
      message: `schema id ${id} is not a usable Avro schema: ${(error as Error).message}`,
    };
  }
}

const violation = (kind: WireViolationKind, message: string): Resolution => ({
  kind: 'violation',
  violation: kind,
  message,
});

const describe = (messages: readonly string[]) => messages.join('; ') || 'incompatible';

const verdictKey = (subject: string, id: number) => `${subject}\u0000${id}`;
