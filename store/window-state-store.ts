import type { SqliteDatabase } from './database.js';

/** One window's run of consecutive drifting windows, saved so a restart resumes the count. */
export interface SavedStreak {
  /** The window's label, e.g. `5m`. */
  readonly window: string;
  readonly consecutive: number;
  readonly drifting: boolean;
  /** Index of the sub-window in which the streak last stepped. */
  readonly lastStep: number;
}

/** A serialized drift window state and the reference version whose bins it counts in. */
export interface SavedWindowState {
  readonly topic: string;
  readonly feature: string;
  readonly referenceVersion: number;
  readonly savedAtMs: number;
  readonly state: Uint8Array;
  /** Streaks per window; empty for a state saved before streaks were kept. */
  readonly streaks: readonly SavedStreak[];
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
  streaks_json: string;
}

export function sqliteWindowStateStore(db: SqliteDatabase): WindowStateStore {
  const upsert = db.prepare(
    `INSERT INTO drift_window_state
       (topic, feature, reference_version, saved_at_ms, state, streaks_json)
     VALUES (@topic, @feature, @referenceVersion, @savedAtMs, @state, @streaksJson)
     ON CONFLICT(topic, feature) DO UPDATE SET reference_version = excluded.reference_version,
       saved_at_ms = excluded.saved_at_ms, state = excluded.state,
       streaks_json = excluded.streaks_json`,
  );
  const select = db.prepare<[string, string], Row>(
    `SELECT topic, feature, reference_version, saved_at_ms, state, streaks_json
     FROM drift_window_state
     WHERE topic = ? AND feature = ?`,
  );
  const remove = db.prepare<[string, string]>(
    'DELETE FROM drift_window_state WHERE topic = ? AND feature = ?',
  );
  const saveAll = db.transaction((states: readonly SavedWindowState[]) => {
    for (const s of states) {
      upsert.run({
        topic: s.topic,
        feature: s.feature,
        referenceVersion: s.referenceVersion,
        savedAtMs: s.savedAtMs,
        state: Buffer.from(s.state),
        streaksJson: JSON.stringify(s.streaks),
      });
    }
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
        streaks: parseStreaks(row.streaks_json),
      };
    },
    delete(topic, feature) {
      remove.run(topic, feature);
    },
  };
}

/** Saved streaks; a malformed entry is dropped (its window's count starts over), never thrown. */
function parseStreaks(json: string): SavedStreak[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (s): s is SavedStreak =>
      typeof s === 'object' &&
      s !== null &&
      typeof (s as SavedStreak).window === 'string' &&
      Number.isInteger((s as SavedStreak).consecutive) &&
      (s as SavedStreak).consecutive >= 0 &&
      typeof (s as SavedStreak).drifting === 'boolean' &&
      Number.isFinite((s as SavedStreak).lastStep),
  );
}
