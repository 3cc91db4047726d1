import type { SqliteDatabase } from './database.js';

/** A serialized drift window state and the reference version whose bins it counts in. */
export interface SavedWindowState {
  readonly topic: string;
  readonly feature: string;
  readonly referenceVersion: number;
  readonly savedAtMs: number;
  readonly state: Uint8Array;
}

/** Drift window states across restarts: one per (topic, feature), the last one saved. */
export interface WindowStateStore {
  /** Saves all states in one transaction (each replaces its feature's previous one). */
  saveAll(states: readonly SavedWindowState[]): void;
  load(topic: string, feature: string): SavedWindowState | undefined;
  delete(topic: string, feature: string): void;
}

interface Row {
  topic: string;
  feature: string;
  reference_version: number;
  saved_at_ms: number;
  state: Buffer;
}

export function sqliteWindowStateStore(db: SqliteDatabase): WindowStateStore {
  const upsert = db.prepare(
    `INSERT INTO drift_window_state (topic, feature, reference_version, saved_at_ms, state)
     VALUES (@topic, @feature, @referenceVersion, @savedAtMs, @state)
     ON CONFLICT(topic, feature) DO UPDATE SET reference_version = excluded.reference_version,
       saved_at_ms = excluded.saved_at_ms, state = excluded.state`,
  );
  const select = db.prepare<[string, string], Row>(
    `SELECT topic, feature, reference_version, saved_at_ms, state FROM drift_window_state
     WHERE topic = ? AND feature = ?`,
  );
  const remove = db.prepare<[string, string]>(
    'DELETE FROM drift_window_state WHERE topic = ? AND feature = ?',
  );
  const saveAll = db.transaction((states: readonly SavedWindowState[]) => {
    for (const s of states) upsert.run({ ...s, state: Buffer.from(s.state) });
  });
  return {
    saveAll: (states) => saveAll(states),
    load(topic, feature) {
      const row = select.get(topic, feature);
      if (!row) return undefined;
      return {
        topic: row.topic,
        feature: row.feature,
        referenceVersion: row.reference_version,
        savedAtMs: row.saved_at_ms,
        state: new Uint8Array(row.state),
      };
    },
    delete(topic, feature) {
      remove.run(topic, feature);
    },
  };
}
