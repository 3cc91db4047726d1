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
    name: '0301_drift_window_streaks',
    // Consecutive drifting windows per window, saved with the window counts (JSON array of
    // { window, consecutive, drifting, lastStep }) so a restart resumes "k in a row".
    sql: `ALTER TABLE drift_window_state ADD COLUMN streaks_json TEXT NOT NULL DEFAULT '[]';`,
  },
  {
    name: '0410_lag_end_offset_history',
    // The interpolated time lag's (end offset, time seen) samples per partition, oldest first,
    // as JSON pairs: saved in one row per partition so a restart keeps the time lag's history.
    sql: `CREATE TABLE lag_end_offset_history (
      topic TEXT NOT NULL,
      partition INTEGER NOT NULL,
      samples_json TEXT NOT NULL,
      saved_at_ms INTEGER NOT NULL,
      PRIMARY KEY (topic, partition)
    );`,
  },
  {
    name: '0700_alert_tables',
    // Alerts: the state of every alert (so a restart neither re-sends nor forgets), the history
    // of state changes, rules managed over the API, silences and the delivery outbox, whose
    // dedupe key makes every (receiver, group, state change) notification unique.
    sql: `CREATE TABLE alert_states (
      fingerprint TEXT PRIMARY KEY,
      rule TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'firing', 'resolved')),
      state_json TEXT NOT NULL,
      notified_status TEXT,
      updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE alert_history (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      fingerprint TEXT NOT NULL,
      rule TEXT NOT NULL,
      from_status TEXT NOT NULL,
      to_status TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      value REAL,
      labels_json TEXT NOT NULL,
      annotations_json TEXT NOT NULL
    );
    CREATE INDEX alert_history_by_time ON alert_history (at_ms);
    CREATE TABLE alert_rules (
      name TEXT PRIMARY KEY,
      rule_json TEXT NOT NULL,
      updated_at_ms INTEGER NOT NULL
    );
    CREATE TABLE alert_silences (
      id TEXT PRIMARY KEY,
      matchers_json TEXT NOT NULL,
      starts_at_ms INTEGER NOT NULL,
      ends_at_ms INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      comment TEXT NOT NULL,
      created_at_ms INTEGER NOT NULL
    );
    CREATE TABLE alert_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      dedupe_key TEXT NOT NULL UNIQUE,
      receiver TEXT NOT NULL,
      notification_json TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at_ms INTEGER NOT NULL,
      created_at_ms INTEGER NOT NULL,
      delivered_at_ms INTEGER,
      last_error TEXT
    );
    CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at_ms);`,
  },
  {
    name: '0701_alert_external',
    // Alerts received through the Alertmanager webhook (POST /api/v1/alerts/webhook), one row
    // per fingerprint, so a restart keeps listing them and does not hand them to the receivers
    // again; `expires_at_ms` is when a firing one resolves unless it is sent again. History rows
    // say whose alert changed: pipewatch's rules or an external Alertmanager.
    sql: `CREATE TABLE alert_external (
      fingerprint TEXT PRIMARY KEY,
      status TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
      alert_json TEXT NOT NULL,
      notified_status TEXT,
      last_seen_at_ms INTEGER NOT NULL,
      expires_at_ms INTEGER NOT NULL
    );
    CREATE INDEX alert_external_by_expiry ON alert_external (status, expires_at_ms);
    ALTER TABLE alert_history ADD COLUMN source TEXT NOT NULL DEFAULT 'pipewatch';`,
  },
  {
    name: '0420_dlq_window_state',
    // One saved DLQ-rate state per watched pipeline: sub-window counts of source and DLQ
    // records (JSON, see detectors/dlq); restored at start so the 5m/1h ratios survive restarts.
    sql: `CREATE TABLE dlq_window_state (
      pipeline TEXT PRIMARY KEY,
      saved_at_ms INTEGER NOT NULL,
      state_json TEXT NOT NULL
    );`,
  },
  {
    name: '0702_alert_group_timers',
    // The dispatcher's groups: when each was last flushed and sent and what it sent, so a
    // restart keeps repeat_interval (and group_interval) counting from the real sends.
    sql: `CREATE TABLE alert_group_timers (
      group_key TEXT PRIMARY KEY,
      timers_json TEXT NOT NULL,
      saved_at_ms INTEGER NOT NULL
    );`,
  },
];
