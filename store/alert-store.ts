import type {
  AlertSource,
  GroupTimers,
  Notification,
  OutboxEntry,
  OutboxStore,
  Silence,
} from '../alerts/index.js';
import type { AlertState, Transition } from '../rules/index.js';
import type { SqliteDatabase } from './database.js';

/** Alert states, their history and the API-managed rules (tables `alert_*`). */
export interface AlertStore {
  /** Every stored alert state with what was last notified for it ('firing', 'resolved' or null). */
  loadStates(): { state: AlertState; notifiedStatus: string | null }[];
  /** Saves the engine's alerts and their transitions in one transaction (deletes the dropped). */
  saveEvaluation(
    alerts: readonly AlertState[],
    transitions: readonly Transition[],
    nowMs: number,
  ): void;
  markNotified(fingerprints: readonly string[], status: string): void;
  history(query: {
    sinceMs?: number;
    rule?: string;
    source?: AlertSource;
    limit: number;
  }): HistoryEntry[];
  /** Deletes history entries older than `beforeMs`; returns how many. */
  purgeHistory(beforeMs: number): number;
  /** The dispatcher's group timers as last saved. */
  loadGroupTimers(): GroupTimers[];
  /** Replaces the saved group timers with these (the live groups). */
  saveGroupTimers(timers: readonly GroupTimers[], nowMs: number): void;
  listRules(): { name: string; rule: unknown; updatedAtMs: number }[];
  putRule(name: string, rule: unknown, nowMs: number): void;
  deleteRule(name: string): boolean;
}

export interface HistoryEntry {
  readonly id: number;
  readonly fingerprint: string;
  readonly rule: string;
  readonly from: string;
  readonly to: string;
  readonly atMs: number;
  readonly value: number | null;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** Whose alert: `pipewatch` (its rules) or `alertmanager` (received through the webhook). */
  readonly source: AlertSource;
}

export interface SilenceStore {
  list(): Silence[];
  add(silence: Silence, nowMs: number): void;
  /** Expires the silence now (Alertmanager keeps expired silences visible); false if unknown. */
  expire(id: string, nowMs: number): boolean;
}

export function sqliteAlertStore(db: SqliteDatabase): AlertStore {
  const upsert = db.prepare(
    `INSERT INTO alert_states (fingerprint, rule, status, state_json, updated_at_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (fingerprint) DO UPDATE SET rule = excluded.rule, status = excluded.status,
       state_json = excluded.state_json, updated_at_ms = excluded.updated_at_ms`,
  );
  const addHistory = db.prepare(
    `INSERT INTO alert_history (fingerprint, rule, from_status, to_status, at_ms, value, labels_json, annotations_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const save = db.transaction(
    (alerts: readonly AlertState[], transitions: readonly Transition[], nowMs: number) => {
      const keep = new Set(alerts.map((a) => a.fingerprint));
      for (const fp of db
        .prepare('SELECT fingerprint FROM alert_states')
        .pluck()
        .all() as string[]) {
        if (!keep.has(fp)) db.prepare('DELETE FROM alert_states WHERE fingerprint = ?').run(fp);
      }
      for (const a of alerts) upsert.run(a.fingerprint, a.rule, a.status, JSON.stringify(a), nowMs);
      for (const t of transitions) {
        addHistory.run(
          t.fingerprint,
          t.alert.rule,
          t.from,
          t.to,
          t.atMs,
          Number.isFinite(t.alert.value) ? t.alert.value : null,
          JSON.stringify(t.alert.labels),
          JSON.stringify(t.alert.annotations),
        );
      }
    },
  );
  return {
    loadStates() {
      const rows = db.prepare('SELECT state_json, notified_status FROM alert_states').all() as {
        state_json: string;
        notified_status: string | null;
      }[];
      return rows.map((r) => ({
        state: JSON.parse(r.state_json) as AlertState,
        notifiedStatus: r.notified_status,
      }));
    },
    saveEvaluation: (alerts, transitions, nowMs) => save(alerts, transitions, nowMs),
    markNotified(fingerprints, status) {
      const stmt = db.prepare('UPDATE alert_states SET notified_status = ? WHERE fingerprint = ?');
      db.transaction(() => {
        for (const fp of fingerprints) stmt.run(status, fp);
      })();
    },
    history({ sinceMs, rule, source, limit }) {
      const rows = db
        .prepare(
          `SELECT * FROM alert_history WHERE at_ms >= ? AND (? IS NULL OR rule = ?)
             AND (? IS NULL OR source = ?)
           ORDER BY id DESC LIMIT ?`,
        )
        .all(
          sinceMs ?? 0,
          rule ?? null,
          rule ?? null,
          source ?? null,
          source ?? null,
          limit,
        ) as Record<string, unknown>[];
      return rows.map((r) => ({
        id: Number(r.id),
        fingerprint: String(r.fingerprint),
        rule: String(r.rule),
        from: String(r.from_status),
        to: String(r.to_status),
        atMs: Number(r.at_ms),
        value: r.value === null ? null : Number(r.value),
        labels: JSON.parse(String(r.labels_json)) as Record<string, string>,
        annotations: JSON.parse(String(r.annotations_json)) as Record<string, string>,
        source: String(r.source) as AlertSource,
      }));
    },
    purgeHistory: (beforeMs) =>
      db.prepare('DELETE FROM alert_history WHERE at_ms < ?').run(beforeMs).changes,
    loadGroupTimers() {
      return db
        .prepare<[], { timers_json: string }>('SELECT timers_json FROM alert_group_timers')
        .all()
        .map((r) => JSON.parse(r.timers_json) as GroupTimers);
    },
    saveGroupTimers: db.transaction((timers: readonly GroupTimers[], nowMs: number) => {
      db.prepare('DELETE FROM alert_group_timers').run();
      const insert = db.prepare(
        'INSERT INTO alert_group_timers (group_key, timers_json, saved_at_ms) VALUES (?, ?, ?)',
      );
      for (const t of timers) insert.run(t.key, JSON.stringify(t), nowMs);
    }),
    listRules() {
      const rows = db.prepare('SELECT * FROM alert_rules ORDER BY name').all() as {
        name: string;
        rule_json: string;
        updated_at_ms: number;
      }[];
      return rows.map((r) => ({
        name: r.name,
        rule: JSON.parse(r.rule_json) as unknown,
        updatedAtMs: r.updated_at_ms,
      }));
    },
    putRule(name, rule, nowMs) {
      db.prepare(
        `INSERT INTO alert_rules (name, rule_json, updated_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET rule_json = excluded.rule_json, updated_at_ms = excluded.updated_at_ms`,
      ).run(name, JSON.stringify(rule), nowMs);
    },
    deleteRule: (name) =>
      db.prepare('DELETE FROM alert_rules WHERE name = ?').run(name).changes > 0,
  };
}

export function sqliteSilenceStore(db: SqliteDatabase): SilenceStore {
  return {
    list() {
      const rows = db.prepare('SELECT * FROM alert_silences ORDER BY starts_at_ms').all() as Record<
        string,
        unknown
      >[];
      return rows.map((r) => ({
        id: String(r.id),
        matchers: JSON.parse(String(r.matchers_json)) as Silence['matchers'],
        startsAtMs: Number(r.starts_at_ms),
        endsAtMs: Number(r.ends_at_ms),
        createdBy: String(r.created_by),
        comment: String(r.comment),
      }));
    },
    add(s, nowMs) {
      db.prepare(
        `INSERT INTO alert_silences (id, matchers_json, starts_at_ms, ends_at_ms, created_by, comment, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        s.id,
        JSON.stringify(s.matchers),
        s.startsAtMs,
        s.endsAtMs,
        s.createdBy,
        s.comment,
        nowMs,
      );
    },
    expire(id, nowMs) {
      return (
        db
          .prepare('UPDATE alert_silences SET ends_at_ms = MIN(ends_at_ms, ?) WHERE id = ?')
          .run(nowMs, id).changes > 0
      );
    },
  };
}

function outboxEntry(r: Record<string, unknown>): OutboxEntry {
  return {
    id: Number(r.id),
    dedupeKey: String(r.dedupe_key),
    receiver: String(r.receiver),
    notification: JSON.parse(String(r.notification_json)) as Notification,
    attempts: Number(r.attempts),
    status: r.status as OutboxEntry['status'],
    nextAttemptAtMs: Number(r.next_attempt_at_ms),
    createdAtMs: Number(r.created_at_ms),
    deliveredAtMs: r.delivered_at_ms === null ? undefined : Number(r.delivered_at_ms),
    lastError: r.last_error === null ? undefined : (r.last_error as string),
  };
}

export function sqliteOutboxStore(db: SqliteDatabase): OutboxStore {
  const insert = db.prepare(
    `INSERT INTO alert_outbox (dedupe_key, receiver, notification_json, status, next_attempt_at_ms, created_at_ms)
     VALUES (?, ?, ?, 'pending', ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
  );
  return {
    enqueue: (key, n, nowMs) =>
      insert.run(key, n.receiver, JSON.stringify(n), nowMs, nowMs).changes > 0,
    due(nowMs, limit) {
      const rows = db
        .prepare(
          `SELECT * FROM alert_outbox WHERE status = 'pending' AND next_attempt_at_ms <= ?
           ORDER BY id LIMIT ?`,
        )
        .all(nowMs, limit) as Record<string, unknown>[];
      return rows.map(outboxEntry);
    },
    markDelivered(id, nowMs) {
      db.prepare(
        `UPDATE alert_outbox SET status = 'delivered', delivered_at_ms = ?, attempts = attempts + 1 WHERE id = ?`,
      ).run(nowMs, id);
    },
    markRetry(id, attempts, next, error, giveUp) {
      db.prepare(
        `UPDATE alert_outbox SET attempts = ?, next_attempt_at_ms = ?, last_error = ?, status = ? WHERE id = ?`,
      ).run(attempts, next, error, giveUp ? 'failed' : 'pending', id);
    },
    purge(beforeMs) {
      return db
        .prepare("DELETE FROM alert_outbox WHERE status != 'pending' AND created_at_ms < ?")
        .run(beforeMs).changes;
    },
    list(limit) {
      const rows = db
        .prepare('SELECT * FROM alert_outbox ORDER BY id DESC LIMIT ?')
        .all(limit) as Record<string, unknown>[];
      return rows.map(outboxEntry);
    },
  };
}
