import {
  referenceFromJson,
  referenceToJson,
  type FeatureReference,
  type FeatureReferenceJson,
} from '../detectors/index.js';
import type { SqliteDatabase } from './database.js';

/** How a reference was built. */
export type ReferenceSource = 'values' | 'histogram' | 'quantiles' | 'capture';

export interface NewReference {
  readonly topic: string;
  readonly feature: string;
  readonly source: ReferenceSource;
  readonly reference: FeatureReference;
  /** Free-form provenance (capture time range, records read, requested bins). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface ReferenceSummary {
  readonly topic: string;
  readonly feature: string;
  /** 1, 2, ... per (topic, feature); never reused after a delete. */
  readonly version: number;
  readonly kind: FeatureReference['kind'];
  readonly source: ReferenceSource;
  readonly createdAtMs: number;
  readonly n: number;
  readonly nullCount: number;
  /** Coarse bins (numeric) or categories (categorical). */
  readonly bins: number;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface StoredReference extends ReferenceSummary {
  readonly reference: FeatureReference;
}

/** A stored row that no longer parses or validates: skipped by get() and list(), and named. */
export interface InvalidReference {
  readonly topic: string;
  readonly feature: string;
  readonly version: number;
  /** Why it was rejected (the validation message, naming the field). */
  readonly error: string;
}

export interface SqliteReferenceStoreOptions {
  /**
   * Told once per invalid row and store (rows never change once written). Default: a
   * process warning naming topic, feature and version, so the row is never skipped silently.
   */
  readonly onInvalid?: (invalid: InvalidReference) => void;
}

/** Versioned drift references per (topic, feature). */
export interface ReferenceStore {
  /** Stores the reference as the next version of its (topic, feature). */
  register(input: NewReference, nowMs: number): StoredReference;
  /** The given version, or the latest when `version` is undefined. */
  get(topic: string, feature: string, version?: number): StoredReference | undefined;
  /** Every stored version, by topic, feature, version; optionally of one topic only. */
  list(filter?: { readonly topic?: string }): ReferenceSummary[];
  /** Deletes one version, or all versions when `version` is undefined; returns how many. */
  delete(topic: string, feature: string, version?: number): number;
  /**
   * Stored rows that no longer validate (skipped by get and list), optionally of one topic.
   * Optional so that wrappers of a store stay valid stores; absent means "none known".
   */
  invalid?(filter?: { readonly topic?: string }): InvalidReference[];
}

function warnInvalid(invalid: InvalidReference): void {
  process.emitWarning(
    `drift reference topic=${JSON.stringify(invalid.topic)} feature=${JSON.stringify(invalid.feature)} version=${invalid.version} is invalid and skipped: ${invalid.error}`,
    { code: 'PIPEWATCH_REFERENCE_INVALID' },
  );
}

/**
 * The exact check of the read path, run before a write: what cannot be read back is never
 * stored (JSON turns Infinity and NaN into null, so the stored form is what is checked).
 */
function serializedReference(reference: FeatureReference): string {
  const json = JSON.stringify(referenceToJson(reference));
  referenceFromJson(JSON.parse(json));
  return json;
}

function binsOf(reference: FeatureReference): number {
  return reference.kind === 'numeric' ? reference.edges.length + 1 : reference.categories.length;
}

function summaryOf(stored: StoredReference): ReferenceSummary {
  const { reference: _reference, ...summary } = stored;
  return summary;
}

interface Row {
  topic: string;
  feature: string;
  version: number;
  kind: FeatureReference['kind'];
  source: ReferenceSource;
  created_at_ms: number;
  n: number;
  null_count: number;
  bins: number;
  details_json: string;
  reference_json?: string;
}

function summaryFromRow(row: Row): ReferenceSummary {
  return {
    topic: row.topic,
    feature: row.feature,
    version: row.version,
    kind: row.kind,
    source: row.source,
    createdAtMs: row.created_at_ms,
    n: row.n,
    nullCount: row.null_count,
    bins: row.bins,
    details: JSON.parse(row.details_json) as Record<string, unknown>,
  };
}

export function sqliteReferenceStore(
  db: SqliteDatabase,
  options: SqliteReferenceStoreOptions = {},
): ReferenceStore {
  const onInvalid = options.onInvalid ?? warnInvalid;
  // Rows are immutable and versions never reused, so a verdict per (topic, feature, version)
  // holds for good: each row is parsed once, and each invalid row is reported once.
  const verdicts = new Map<string, { reference: FeatureReference } | InvalidReference>();
  const verdictOf = (row: Row) => {
    const key = JSON.stringify([row.topic, row.feature, row.version]);
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = parseRow(row);
      verdicts.set(key, verdict);
      if (!('reference' in verdict)) onInvalid(verdict);
    }
    return verdict;
  };
  const parse = (row: Row): StoredReference | undefined => {
    const verdict = verdictOf(row);
    return 'reference' in verdict
      ? { ...summaryFromRow(row), reference: verdict.reference }
      : undefined;
  };
  const summaryColumns =
    'topic, feature, version, kind, source, created_at_ms, n, null_count, bins, details_json';
  const nextVersion = db.prepare<[string, string], { last_version: number }>(
    `INSERT INTO drift_reference_versions (topic, feature, last_version) VALUES (?, ?, 1)
     ON CONFLICT(topic, feature) DO UPDATE SET last_version = last_version + 1
     RETURNING last_version`,
  );
  const insert = db.prepare(
    `INSERT INTO drift_references (${summaryColumns}, reference_json)
     VALUES (@topic, @feature, @version, @kind, @source, @created_at_ms, @n, @null_count, @bins,
       @details_json, @reference_json)`,
  );
  const selectVersion = db.prepare<[string, string, number], Row>(
    `SELECT ${summaryColumns}, reference_json FROM drift_references
     WHERE topic = ? AND feature = ? AND version = ?`,
  );
  const selectNewestFirst = db.prepare<[string, string], Row>(
    `SELECT ${summaryColumns}, reference_json FROM drift_references
     WHERE topic = ? AND feature = ? ORDER BY version DESC`,
  );
  /** The newest version that validates: an invalid newer row is skipped, as list() skips it. */
  const latestValid = (topic: string, feature: string): StoredReference | undefined => {
    for (const row of selectNewestFirst.iterate(topic, feature)) {
      const stored = parse(row);
      if (stored) return stored;
    }
    return undefined;
  };
  const listAll = db.prepare<[], Row>(
    `SELECT ${summaryColumns}, reference_json FROM drift_references
     ORDER BY topic, feature, version`,
  );
  const listTopic = db.prepare<[string], Row>(
    `SELECT ${summaryColumns}, reference_json FROM drift_references WHERE topic = ?
     ORDER BY feature, version`,
  );
  const rowsOf = (filter: { readonly topic?: string }) =>
    filter.topic === undefined ? listAll.all() : listTopic.all(filter.topic);
  const deleteVersion = db.prepare<[string, string, number]>(
    'DELETE FROM drift_references WHERE topic = ? AND feature = ? AND version = ?',
  );
  const deleteAll = db.prepare<[string, string]>(
    'DELETE FROM drift_references WHERE topic = ? AND feature = ?',
  );
  const register = db.transaction((input: NewReference, nowMs: number): StoredReference => {
    const version = nextVersion.get(input.topic, input.feature)!.last_version;
    const stored = storedReference(input, version, nowMs);
    insert.run({
      topic: stored.topic,
      feature: stored.feature,
      version,
      kind: stored.kind,
      source: stored.source,
      created_at_ms: nowMs,
      n: stored.n,
      null_count: stored.nullCount,
      bins: stored.bins,
      details_json: JSON.stringify(stored.details),
      reference_json: serializedReference(stored.reference),
    });
    return stored;
  });
  return {
    register: (input, nowMs) => register(input, nowMs),
    get(topic, feature, version) {
      if (version === undefined) return latestValid(topic, feature);
      const row = selectVersion.get(topic, feature, version);
      return row ? parse(row) : undefined;
    },
    list(filter = {}) {
      const summaries: ReferenceSummary[] = [];
      for (const row of rowsOf(filter)) {
        const stored = parse(row);
        if (stored) summaries.push(summaryOf(stored));
      }
      return summaries;
    },
    invalid(filter = {}) {
      const found: InvalidReference[] = [];
      for (const row of rowsOf(filter)) {
        const verdict = verdictOf(row);
        if (!('reference' in verdict)) found.push(verdict);
      }
      return found;
    },
    delete(topic, feature, version) {
      const result =
        version === undefined
          ? deleteAll.run(topic, feature)
          : deleteVersion.run(topic, feature, version);
      return result.changes;
    },
  };
}

/** The reference of a row, or why it is invalid (bad JSON, a failed check, a bad summary). */
function parseRow(row: Row): { reference: FeatureReference } | InvalidReference {
  try {
    summaryFromRow(row);
    const reference = referenceFromJson(JSON.parse(row.reference_json!) as FeatureReferenceJson);
    if (reference.kind !== row.kind) {
      throw new Error(`reference.kind is ${reference.kind} but the row says ${row.kind}`);
    }
    return { reference };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { topic: row.topic, feature: row.feature, version: row.version, error: message };
  }
}

/** The stored form of a newly registered reference (details copied, never shared). */
function storedReference(input: NewReference, version: number, nowMs: number): StoredReference {
  return {
    topic: input.topic,
    feature: input.feature,
    version,
    kind: input.reference.kind,
    source: input.source,
    createdAtMs: nowMs,
    n: input.reference.n,
    nullCount: input.reference.nullCount,
    bins: binsOf(input.reference),
    details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
    reference: input.reference,
  };
}

/** Same contract, in memory: for tests and for running without a data directory. */
export function memoryReferenceStore(): ReferenceStore {
  const versions = new Map<string, StoredReference[]>();
  const lastVersion = new Map<string, number>();
  const keyOf = (topic: string, feature: string) => JSON.stringify([topic, feature]);
  return {
    register(input, nowMs) {
      serializedReference(input.reference); // the same check as the SQLite store's write
      const key = keyOf(input.topic, input.feature);
      const version = (lastVersion.get(key) ?? 0) + 1;
      lastVersion.set(key, version);
      const stored = storedReference(input, version, nowMs);
      versions.set(key, [...(versions.get(key) ?? []), stored]);
      return stored;
    },
    get(topic, feature, version) {
      const list = versions.get(keyOf(topic, feature)) ?? [];
      return version === undefined
        ? list[list.length - 1]
        : list.find((r) => r.version === version);
    },
    list(filter = {}) {
      return [...versions.values()]
        .flat()
        .filter((r) => filter.topic === undefined || r.topic === filter.topic)
        .sort(
          (a, b) =>
            (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0) ||
            (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0) ||
            a.version - b.version,
        )
        .map(summaryOf);
    },
    delete(topic, feature, version) {
      const key = keyOf(topic, feature);
      const list = versions.get(key) ?? [];
      const kept = list.filter((r) => version !== undefined && r.version !== version);
      versions.set(key, kept);
      return list.length - kept.length;
    },
  };
}
