import { PipewatchError } from '../../common/index.js';
import type { RegistrySubjectVersion, SchemaRegistryStore } from '../../store/index.js';
import { parseSchemaRequest, type SchemaRequest } from './avro-schema.js';
import { guardStore } from './guarded-store.js';
import {
  isTransitive,
  parseCompatibilityLevel,
  type CompatibilityChecker,
  type CompatibilityLevel,
} from './levels.js';
import { parseVersion, type VersionSelector } from './versions.js';

export interface SchemaRegistryOptions {
  readonly store: SchemaRegistryStore;
  readonly checker: CompatibilityChecker;
  /** Global level until one is PUT on /config. Default BACKWARD, as Confluent. */
  readonly defaultLevel?: CompatibilityLevel;
}

/** A subject version as GET /subjects/{s}/versions/{v} and lookup return it. */
export interface SubjectSchema {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly schema: string;
  readonly schemaType: string;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly messages: string[];
}

/** Confluent's registry semantics, independent of HTTP. Every failure is a PipewatchError. */
export interface SchemaRegistry {
  subjects(options?: { includeDeleted?: boolean }): string[];
  versions(subject: string, options?: { includeDeleted?: boolean }): number[];
  version(subject: string, version: string, options?: { includeDeleted?: boolean }): SubjectSchema;
  schemaById(id: string | number): { schema: string; schemaType: string };
  subjectVersionsOfSchema(id: string | number): { subject: string; version: number }[];
  register(subject: string, request: SchemaRequest): { id: number };
  lookup(
    subject: string,
    request: SchemaRequest,
    options?: { includeDeleted?: boolean },
  ): SubjectSchema;
  /** Soft delete (or permanent after a soft one); returns the version numbers deleted. */
  deleteSubject(subject: string, options?: { permanent?: boolean }): number[];
  deleteVersion(subject: string, version: string, options?: { permanent?: boolean }): number;
  testCompatibility(subject: string, version: string, request: SchemaRequest): CompatibilityResult;
  globalLevel(): CompatibilityLevel;
  setGlobalLevel(level: unknown): CompatibilityLevel;
  /** The subject's own level; REGISTRY_SUBJECT_LEVEL_NOT_CONFIGURED unless `defaultToGlobal`. */
  subjectLevel(subject: string, options?: { defaultToGlobal?: boolean }): CompatibilityLevel;
  setSubjectLevel(subject: string, level: unknown): CompatibilityLevel;
  /** Removes the subject's own level, returning the level it had. */
  deleteSubjectLevel(subject: string): CompatibilityLevel;
  /** The level registrations under the subject must meet (own, else global). */
  effectiveLevel(subject: string): CompatibilityLevel;
}

const subjectNotFound = (subject: string) =>
  new PipewatchError('REGISTRY_SUBJECT_NOT_FOUND', `Subject '${subject}' not found.`, { subject });
const versionNotFound = (subject: string, version: number | string) =>
  new PipewatchError('REGISTRY_VERSION_NOT_FOUND', `Version ${version} not found.`, {
    subject,
    version,
  });

export function createSchemaRegistry(options: SchemaRegistryOptions): SchemaRegistry {
  const { checker } = options;
  const store = guardStore(options.store);
  const defaultLevel = options.defaultLevel ?? 'BACKWARD';

  const globalLevel = (): CompatibilityLevel =>
    parseCompatibilityLevel(store.globalLevel() ?? defaultLevel, 'the stored global config');
  const ownLevel = (subject: string): CompatibilityLevel | undefined => {
    const stored = store.subjectLevel(subject);
    return stored === undefined
      ? undefined
      : parseCompatibilityLevel(stored, `the stored config of subject ${subject}`);
  };
  const effectiveLevel = (subject: string) => ownLevel(subject) ?? globalLevel();

  const liveVersions = (subject: string) => store.versions(subject).filter((v) => !v.deleted);

  /** Live (or, when asked, all) versions; REGISTRY_SUBJECT_NOT_FOUND when there are none. */
  const existingVersions = (subject: string, includeDeleted = false) => {
    const rows = includeDeleted ? store.versions(subject) : liveVersions(subject);
    if (rows.length === 0) throw subjectNotFound(subject);
    return rows;
  };

  const pick = (rows: RegistrySubjectVersion[], selector: VersionSelector, subject: string) => {
    const row = selector === 'latest' ? rows.at(-1) : rows.find((r) => r.version === selector);
    if (!row) throw versionNotFound(subject, selector);
    return row;
  };

  const schemaText = (id: number) => {
    const schema = store.schemaById(id);
    if (!schema) throw new PipewatchError('STORE_FAILURE', `schema ${id} is missing`, { id });
    return schema;
  };

  const toSubjectSchema = (row: RegistrySubjectVersion): SubjectSchema => {
    const { schema, schemaType } = schemaText(row.schemaId);
    return { subject: row.subject, id: row.schemaId, version: row.version, schema, schemaType };
  };

  const parseId = (id: string | number) => {
    const n = typeof id === 'number' ? id : /^\d+$/.test(id) ? Number(id) : NaN;
    const schema = Number.isSafeInteger(n) ? store.schemaById(n) : undefined;
    if (!schema) {
      throw new PipewatchError('REGISTRY_SCHEMA_NOT_FOUND', `Schema ${id} not found`, { id });
    }
    return schema;
  };

  /** The previous schemas the level names: the latest live one, or all for _TRANSITIVE. */
  const check = (
    candidate: string,
    previous: RegistrySubjectVersion[],
    level: CompatibilityLevel,
  ): CompatibilityResult => {
    if (level === 'NONE' || previous.length === 0) return { compatible: true, messages: [] };
    const texts = previous.map((row) => schemaText(row.schemaId).schema);
    const result = checker({ candidate, previous: texts, level });
    return { compatible: result.compatible, messages: [...result.messages] };
  };

  return {
    subjects: (o = {}) => store.subjects({ includeDeleted: o.includeDeleted ?? false }),
    versions: (subject, o = {}) =>
      existingVersions(subject, o.includeDeleted).map((v) => v.version),
    version(subject, version, o = {}) {
      const selector = parseVersion(version);
      return toSubjectSchema(pick(existingVersions(subject, o.includeDeleted), selector, subject));
    },
    schemaById(id) {
      const { schema, schemaType } = parseId(id);
      return { schema, schemaType };
    },
    subjectVersionsOfSchema(id) {
      const schema = parseId(id);
      return store
        .versionsOfSchema(schema.id)
        .filter((v) => !v.deleted)
        .map(({ subject, version }) => ({ subject, version }));
    },
    register(subject, request) {
      const parsed = parseSchemaRequest(request);
      return store.transaction(() => {
        const all = store.versions(subject);
        const live = all.filter((v) => !v.deleted);
        const knownId = store.schemaIdByKey(parsed.dedupeKey);
        if (knownId !== undefined && live.some((v) => v.schemaId === knownId))
          return { id: knownId };
        const level = effectiveLevel(subject);
        const previous = isTransitive(level) ? live : live.slice(-1);
        const result = check(parsed.text, previous, level);
        if (!result.compatible) {
          throw new PipewatchError(
            'REGISTRY_SCHEMA_INCOMPATIBLE',
            `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: [${[...result.messages, `{compatibility: '${level}'}`].join(', ')}]`,
            { subject, level, messages: result.messages },
          );
        }
        const id =
          knownId ??
          store.insertSchema({
            dedupeKey: parsed.dedupeKey,
            schemaType: parsed.schemaType,
            schema: parsed.text,
          });
        store.insertVersion({ subject, version: (all.at(-1)?.version ?? 0) + 1, schemaId: id });
        return { id };
      });
    },
    lookup(subject, request, o = {}) {
      const parsed = parseSchemaRequest(request);
      const rows = existingVersions(subject, o.includeDeleted);
      const id = store.schemaIdByKey(parsed.dedupeKey);
      const row = rows.filter((r) => r.schemaId === id).at(-1);
      if (!row) {
        throw new PipewatchError('REGISTRY_SCHEMA_NOT_FOUND', 'Schema not found', { subject });
      }
      return toSubjectSchema(row);
    },
    deleteSubject(subject, o = {}) {
      return store.transaction(() => {
        const all = store.versions(subject);
        if (all.length === 0) throw subjectNotFound(subject);
        const live = all.filter((v) => !v.deleted).map((v) => v.version);
        if (!o.permanent) {
          if (live.length === 0) {
            throw new PipewatchError(
              'REGISTRY_SUBJECT_SOFT_DELETED',
              `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
              { subject },
            );
          }
          store.markDeleted(subject, live);
          return live;
        }
        if (live.length > 0) {
          throw new PipewatchError(
            'REGISTRY_SUBJECT_NOT_SOFT_DELETED',
            `Subject '${subject}' was not deleted first before being permanently deleted`,
            { subject },
          );
        }
        const numbers = all.map((v) => v.version);
        store.removeVersions(subject, numbers);
        store.deleteSubjectLevel(subject);
        return numbers;
      });
    },
    deleteVersion(subject, version, o = {}) {
      const selector = parseVersion(version);
      return store.transaction(() => {
        existingVersions(subject, o.permanent);
        const all = store.versions(subject);
        // "latest" names the latest live version, except for a permanent delete.
        const candidates = selector === 'latest' && !o.permanent ? liveVersions(subject) : all;
        const row = pick(candidates, selector, subject);
        if (!o.permanent) {
          if (row.deleted) {
            throw new PipewatchError(
              'REGISTRY_VERSION_SOFT_DELETED',
              `Subject '${subject}' Version ${row.version} was soft deleted.Set permanent=true to delete permanently`,
              { subject, version: row.version },
            );
          }
          store.markDeleted(subject, [row.version]);
          return row.version;
        }
        if (!row.deleted) {
          throw new PipewatchError(
            'REGISTRY_VERSION_NOT_SOFT_DELETED',
            `Subject '${subject}' Version ${row.version} was not deleted first before being permanently deleted`,
            { subject, version: row.version },
          );
        }
        store.removeVersions(subject, [row.version]);
        return row.version;
      });
    },
    testCompatibility(subject, version, request) {
      const selector = parseVersion(version);
      const parsed = parseSchemaRequest(request);
      const live = liveVersions(subject);
      const level = effectiveLevel(subject);
      // Confluent answers "compatible" against the latest version of an empty subject.
      if (live.length === 0 && selector === 'latest') return { compatible: true, messages: [] };
      if (live.length === 0) throw subjectNotFound(subject);
      const named = pick(live, selector, subject);
      // Deliberately unlike Confluent (which checks only the named version, schema-registry
      // issue #2747): a _TRANSITIVE level is checked against every live version, as Karapace does.
      return check(parsed.text, isTransitive(level) ? live : [named], level);
    },
    globalLevel,
    setGlobalLevel(level) {
      const parsed = parseCompatibilityLevel(level, 'the "compatibility" field');
      store.setGlobalLevel(parsed);
      return parsed;
    },
    subjectLevel(subject, o = {}) {
      const own = ownLevel(subject);
      if (own) return own;
      if (o.defaultToGlobal) return globalLevel();
      throw new PipewatchError(
        'REGISTRY_SUBJECT_LEVEL_NOT_CONFIGURED',
        `Subject '${subject}' does not have subject-level compatibility configured`,
        { subject },
      );
    },
    setSubjectLevel(subject, level) {
      const parsed = parseCompatibilityLevel(level, 'the "compatibility" field');
      store.setSubjectLevel(subject, parsed);
      return parsed;
    },
    deleteSubjectLevel(subject) {
      const own = ownLevel(subject);
      if (own === undefined && store.versions(subject).length === 0) throw subjectNotFound(subject);
      store.deleteSubjectLevel(subject);
      return own ?? globalLevel();
    },
    effectiveLevel,
  };
}
