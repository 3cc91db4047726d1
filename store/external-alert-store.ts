import type { ExternalAlert, ExternalChanges } from '../alerts/index.js';
import type { SqliteDatabase } from './database.js';

/**
 * Alerts received through the Alertmanager webhook (table `alert_external`) and their
 * transitions in `alert_history` with source `alertmanager`.
 */
export interface ExternalAlertStore {
  /** Every kept alert with the status last handed to the dispatcher ('firing', 'resolved' or null). */
  load(): { alert: ExternalAlert; notifiedStatus: string | null }[];
  /** Writes one batch of changes (alerts and their history) in one transaction. */
  apply(changes: ExternalChanges): void;
  markNotified(fingerprints: readonly string[], status: string): void;
}

export function sqliteExternalAlertStore(db: SqliteDatabase): ExternalAlertStore {
  const upsert = db.prepare(
    `INSERT INTO alert_external (fingerprint, status, alert_json, last_seen_at_ms, expires_at_ms)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (fingerprint) DO UPDATE SET status = excluded.status, alert_json = excluded.alert_json,
       last_seen_at_ms = excluded.last_seen_at_ms, expires_at_ms = excluded.expires_at_ms`,
  );
  const remove = db.prepare('DELETE FROM alert_external WHERE fingerprint = ?');
  const addHistory = db.prepare(
    `INSERT INTO alert_history (fingerprint, rule, from_status, to_status, at_ms, value, labels_json, annotations_json, source)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, 'alertmanager')`,
  );
  const apply = db.transaction((c: ExternalChanges) => {
    for (const fp of c.deletes) remove.run(fp);
    for (const a of c.upserts)
      upsert.run(a.fingerprint, a.status, JSON.stringify(a), a.lastSeenAtMs, a.expiresAtMs);
    for (const t of c.transitions) {
      addHistory.run(
        t.fingerprint,
        t.alert.labels.alertname ?? '',
        t.from,
        t.to,
        t.atMs,
        JSON.stringify(t.alert.labels),
        JSON.stringify(t.alert.annotations),
      );
    }
  });
  const mark = db.prepare('UPDATE alert_external SET notified_status = ? WHERE fingerprint = ?');
  return {
    load() {
      const rows = db.prepare('SELECT alert_json, notified_status FROM alert_external').all() as {
        alert_json: string;
        notified_status: string | null;
      }[];
      return rows.map((r) => ({
        alert: JSON.parse(r.alert_json) as ExternalAlert,
        notifiedStatus: r.notified_status,
      }));
    },
    apply: (changes) => apply(changes),
    markNotified(fingerprints, status) {
      db.transaction(() => {
        for (const fp of fingerprints) mark.run(status, fp);
      })();
    },
  };
}
