import type { SqliteDatabase } from './database.js';

/** A registered schema: the id is global across subjects, as in Confluent. */
export interface RegistryStoredSchema {
  readonly id: number;
  /** `AVRO` today; kept so JSON/PROTOBUF can be added without a migration. */
  readonly schemaType: string;
  /** The schema text as served back to clients. */
  readonly schema: string;
}

/** One version of a subject. Soft-deleted versions stay until permanently deleted. */
export interface RegistrySubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly schemaId: number;
  readonly deleted: boolean;
}

/**
 * Persistence of the embedded schema registry. Deliberately dumb: the registry service in
 * schemas/ decides every rule (dedupe, numbering, soft deletes, levels); the store only keeps
 * rows. Levels are stored as validated strings.
 */
export interface SchemaRegistryStore {
  schemaById(id: number): RegistryStoredSchema | undefined;
  /** Id of the schema with this dedupe key (type + canonical form), if registered. */
  schemaIdByKey(dedupeKey: string): number | undefined;
  /** Inserts a schema and returns its new id (ids are never reused). */
  insertSchema(input: { dedupeKey: string; schemaType: string; schema: string }): number;
  /** Subjects in name order; soft-deleted-only subjects only when `includeDeleted`. */
  subjects(options: { includeDeleted: boolean }): string[];
  /** Every version of the subject, soft-deleted ones included, oldest first. */
  versions(subject: string): RegistrySubjectVersion[];
  /** Every subject version (soft-deleted included) that uses the schema id. */
  versionsOfSchema(schemaId: number): RegistrySubjectVersion[];
  insertVersion(input: { subject: string; version: number; schemaId: number }): void;
  markDeleted(subject: string, versions: readonly number[]): void;
  /** Removes the versions for good, then drops schemas no version uses any more. */
  removeVersions(subject: string, versions: readonly number[]): void;
  globalLevel(): string | undefined;
  setGlobalLevel(level: string): void;
  subjectLevel(subject: string): string | undefined;
  setSubjectLevel(subject: string, level: string): void;
  deleteSubjectLevel(subject: string): void;
  /** Runs `fn` atomically (a SQLite transaction; the memory fake just runs it). */
  transaction<T>(fn: () => T): T;
}

interface VersionRow {
  subject: string;
  version: number;
  schema_id: number;
  deleted: number;
}

const toVersion = (row: VersionRow): RegistrySubjectVersion => ({
  subject: row.subject,
  version: row.version,
  schemaId: row.schema_id,
  deleted: row.deleted === 1,
});

/** The SQLite store; needs migration `0100_registry_schemas` (in store/migrations.ts). */
export function sqliteSchemaRegistryStore(db: SqliteDatabase): SchemaRegistryStore {
  const schemaById = db.prepare<[number], { id: number; schema_type: string; schema_text: string }>(
    'SELECT id, schema_type, schema_text FROM registry_schema WHERE id = ?',
  );
  const schemaIdByKey = db.prepare<[string], number>(
    'SELECT id FROM registry_schema WHERE dedupe_key = ?',
  );
  const insertSchema = db.prepare<[string, string, string]>(
    'INSERT INTO registry_schema (schema_type, dedupe_key, schema_text) VALUES (?, ?, ?)',
  );
  const liveSubjects = db.prepare<[], string>(
    'SELECT DISTINCT subject FROM registry_subject_version WHERE deleted = 0 ORDER BY subject',
  );
  const allSubjects = db.prepare<[], string>(
    'SELECT DISTINCT subject FROM registry_subject_version ORDER BY subject',
  );
  const versions = db.prepare<[string], VersionRow>(
    'SELECT subject, version, schema_id, deleted FROM registry_subject_version WHERE subject = ? ORDER BY version',
  );
  const versionsOfSchema = db.prepare<[number], VersionRow>(
    'SELECT subject, version, schema_id, deleted FROM registry_subject_version WHERE schema_id = ? ORDER BY subject, version',
  );
  const insertVersion = db.prepare<[string, number, number]>(
    'INSERT INTO registry_subject_version (subject, version, schema_id) VALUES (?, ?, ?)',
  );
  const markDeleted = db.prepare<[string, number]>(
    'UPDATE registry_subject_version SET deleted = 1 WHERE subject = ? AND version = ?',
  );
  const removeVersion = db.prepare<[string, number]>(
    'DELETE FROM registry_subject_version WHERE subject = ? AND version = ?',
  );
  const removeUnusedSchemas = db.prepare(
    'DELETE FROM registry_schema WHERE id NOT IN (SELECT schema_id FROM registry_subject_version)',
  );
  const globalLevel = db.prepare<[], string>(
    'SELECT compatibility_level FROM registry_global_config WHERE singleton = 1',
  );
  const setGlobalLevel = db.prepare<[string]>(
    `INSERT INTO registry_global_config (singleton, compatibility_level) VALUES (1, ?)
     ON CONFLICT(singleton) DO UPDATE SET compatibility_level = excluded.compatibility_level`,
  );
  const subjectLevel = db.prepare<[string], string>(
    'SELECT compatibility_level FROM registry_subject_config WHERE subject = ?',
  );
  const setSubjectLevel = db.prepare<[string, string]>(
    `INSERT INTO registry_subject_config (subject, compatibility_level) VALUES (?, ?)
     ON CONFLICT(subject) DO UPDATE SET compatibility_level = excluded.compatibility_level`,
  );
  const deleteSubjectLevel = db.prepare<[string]>(
    'DELETE FROM registry_subject_config WHERE subject = ?',
  );
  return {
    schemaById(id) {
      const row = schemaById.get(id);
      return row && { id: row.id, schemaType: row.schema_type, schema: row.schema_text };
    },
    schemaIdByKey: (key) => schemaIdByKey.pluck().get(key),
    insertSchema: ({ dedupeKey, schemaType, schema }) =>
      Number(insertSchema.run(schemaType, dedupeKey, schema).lastInsertRowid),
    subjects: ({ includeDeleted }) => (includeDeleted ? allSubjects : liveSubjects).pluck().all(),
    versions: (subject) => versions.all(subject).map(toVersion),
    versionsOfSchema: (id) => versionsOfSchema.all(id).map(toVersion),
    insertVersion({ subject, version, schemaId }) {
      insertVersion.run(subject, version, schemaId);
    },
    markDeleted(subject, numbers) {
      for (const n of numbers) markDeleted.run(subject, n);
    },
    removeVersions(subject, numbers) {
      for (const n of numbers) removeVersion.run(subject, n);
      removeUnusedSchemas.run();
    },
    globalLevel: () => globalLevel.pluck().get(),
    setGlobalLevel(level) {
      setGlobalLevel.run(level);
    },
    subjectLevel: (subject) => subjectLevel.pluck().get(subject),
    setSubjectLevel(subject, level) {
      setSubjectLevel.run(subject, level);
    },
    deleteSubjectLevel(subject) {
      deleteSubjectLevel.run(subject);
    },
    transaction: (fn) => db.transaction(fn)(),
  };
}

/** In-memory store with the same contract, for tests and throwaway registries. */
export function memorySchemaRegistryStore(): SchemaRegistryStore {
  const schemas = new Map<number, RegistryStoredSchema & { dedupeKey: string }>();
  let versionRows: RegistrySubjectVersion[] = [];
  const subjectLevels = new Map<string, string>();
  let global: string | undefined;
  let lastId = 0;
  const byVersion = (a: RegistrySubjectVersion, b: RegistrySubjectVersion) =>
    a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1;
  return {
    schemaById(id) {
      const s = schemas.get(id);
      return s && { id: s.id, schemaType: s.schemaType, schema: s.schema };
    },
    schemaIdByKey: (key) => [...schemas.values()].find((s) => s.dedupeKey === key)?.id,
    insertSchema({ dedupeKey, schemaType, schema }) {
      lastId += 1;
      schemas.set(lastId, { id: lastId, schemaType, schema, dedupeKey });
      return lastId;
    },
    subjects: ({ includeDeleted }) =>
      [
        ...new Set(versionRows.filter((v) => includeDeleted || !v.deleted).map((v) => v.subject)),
      ].sort(),
    versions: (subject) => versionRows.filter((v) => v.subject === subject).sort(byVersion),
    versionsOfSchema: (id) => versionRows.filter((v) => v.schemaId === id).sort(byVersion),
    insertVersion({ subject, version, schemaId }) {
      versionRows.push({ subject, version, schemaId, deleted: false });
    },
    markDeleted(subject, numbers) {
      versionRows = versionRows.map((v) =>
        v.subject === subject && numbers.includes(v.version) ? { ...v, deleted: true } : v,
      );
    },
    removeVersions(subject, numbers) {
      versionRows = versionRows.filter(
        (v) => v.subject !== subject || !numbers.includes(v.version),
      );
      const used = new Set(versionRows.map((v) => v.schemaId));
      for (const id of schemas.keys()) if (!used.has(id)) schemas.delete(id);
    },
    globalLevel: () => global,
    setGlobalLevel(level) {
      global = level;
    },
    subjectLevel: (subject) => subjectLevels.get(subject),
    setSubjectLevel(subject, level) {
      subjectLevels.set(subject, level);
    },
    deleteSubjectLevel(subject) {
      subjectLevels.delete(subject);
    },
    transaction: (fn) => fn(),
  };
}
