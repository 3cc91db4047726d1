import type { SqliteDatabase } from './database.js';

/** A pipeline's saved DLQ-rate state: opaque JSON to the store (detectors/dlq reads it). */
export interface SavedDlqState {
  readonly pipeline: string;
  readonly savedAtMs: number;
  readonly state: unknown;
}

/** DLQ-rate windows across restarts: one state per pipeline, the last one saved. */
export interface DlqWindowStore {
  /** Saves all states in one transaction (each replaces its pipeline's previous one). */
  saveAll(states: readonly SavedDlqState[]): void;
  /** The saved state, or undefined when there is none or it is not valid JSON. */
  load(pipeline: string): SavedDlqState | undefined;
}

interface Row {
  pipeline: string;
  saved_at_ms: number;
  state_json: string;
}

export function sqliteDlqWindowStore(db: SqliteDatabase): DlqWindowStore {
  const upsert = db.prepare(
    `INSERT INTO dlq_window_state (pipeline, saved_at_ms, state_json)
     VALUES (@pipeline, @savedAtMs, @stateJson)
     ON CONFLICT(pipeline) DO UPDATE SET saved_at_ms = excluded.saved_at_ms,
       state_json = excluded.state_json`,
  );
  const select = db.prepare<[string], Row>(
    'SELECT pipeline, saved_at_ms, state_json FROM dlq_window_state WHERE pipeline = ?',
  );
  const saveAll = db.transaction((states: readonly SavedDlqState[]) => {
    for (const s of states) {
      upsert.run({
        pipeline: s.pipeline,
        savedAtMs: s.savedAtMs,
        stateJson: JSON.stringify(s.state),
      });
    }
  });
  return {
    saveAll: (states) => saveAll(states),
    load(pipeline) {
      const row = select.get(pipeline);
      if (!row) return undefined;
      try {
        return {
          pipeline: row.pipeline,
          savedAtMs: row.saved_at_ms,
          state: JSON.parse(row.state_json) as unknown,
        };
      } catch {
        return undefined;
      }
    },
  };
}

/** In-memory fake for unit tests of the runtime. */
export function memoryDlqWindowStore(): DlqWindowStore {
  const rows = new Map<string, string>();
  const saved = new Map<string, number>();
  return {
    saveAll(states) {
      for (const s of states) {
        rows.set(s.pipeline, JSON.stringify(s.state));
        saved.set(s.pipeline, s.savedAtMs);
      }
    },
    load(pipeline) {
      const json = rows.get(pipeline);
      if (json === undefined) return undefined;
      return { pipeline, savedAtMs: saved.get(pipeline) ?? 0, state: JSON.parse(json) as unknown };
    },
  };
}
