/**
 * Every table pipewatch keeps. A migration is never edited once released: add a new one.
 * Names sort in application order: `NNNN_folder_what`.
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    name: '0001_core_service_state',
    sql: `CREATE TABLE service_state (
      key TEXT PRIMARY KEY,
      value_json TEXT NOT NULL,
      updated_at_ms INTEGER NOT NULL
    );`,
  },
  {
    // Embedded schema registry. Ids are never reused (AUTOINCREMENT), as Confluent never
    // reuses one; `dedupe_key` is the schema's canonical form prefixed with its type.
    name: '0100_registry_schemas',
    sql: `CREATE TABLE registry_schema (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      schema_type TEXT NOT NULL,
      dedupe_key TEXT NOT NULL UNIQUE,
      schema_text TEXT NOT NULL
    );
    CREATE TABLE registry_subject_version (
      subject TEXT NOT NULL,
      version INTEGER NOT NULL,
      schema_id INTEGER NOT NULL REFERENCES registry_schema (id),
      deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
      PRIMARY KEY (subject, version)
    );
    CREATE INDEX registry_subject_version_by_schema ON registry_subject_version (schema_id);
    CREATE TABLE registry_global_config (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      compatibility_level TEXT NOT NULL
    );
    CREATE TABLE registry_subject_config (
      subject TEXT PRIMARY KEY,
      compatibility_level TEXT NOT NULL
    );`,
  },
  {
    name: '0200_references_drift_references',
    // Versions are never reused: the counter survives deletes, so a window state tagged with
    // (topic, feature, version) always means one set of bins.
    sql: `CREATE TABLE drift_reference_versions (
      topic TEXT NOT NULL,
      feature TEXT NOT NULL,
      last_version INTEGER NOT NULL,
      PRIMARY KEY (topic, feature)
    );
    CREATE TABLE drift_references (
      topic TEXT NOT NULL,
      feature TEXT NOT NULL,
      version INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('numeric', 'categorical')),
      source TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL,
      n REAL NOT NULL,
      null_count INTEGER NOT NULL,
      bins INTEGER NOT NULL,
      reference_json TEXT NOT NULL,
      details_json TEXT NOT NULL,
      PRIMARY KEY (topic, feature, version)
    );`,
  },
  {
    name: '0300_drift_window_state',
    // One saved state per (topic, feature): the reference version tells whether its bins still
    // apply; a state of another version is discarded on restore.
    sql: `CREATE TABLE drift_window_state (
      topic TEXT NOT NULL,
      feature TEXT NOT NULL,
      reference_version INTEGER NOT NULL,
      saved_at_ms INTEGER NOT NULL,
      state BLOB NOT NULL,
      PRIMARY KEY (topic, feature)
    );`,
  },
  {
    name: '0410_dlq_window_state',
    // One saved DLQ-rate state per watched pipeline: sub-window counts of source and DLQ
    // records (JSON, see detectors/dlq); restored at start so the 5m/1h ratios survive restarts.
    sql: `CREATE TABLE dlq_window_state (
      pipeline TEXT PRIMARY KEY,
      saved_at_ms INTEGER NOT NULL,
      state_json TEXT NOT NULL
    );`,
  },
];
