import type { SqliteDatabase } from './database.js';

/** Small key → JSON value store for service bookkeeping (first start, last clean shutdown). */
export interface ServiceStateStore {
  get<T>(key: string): T | undefined;
  set(key: string, value: unknown, nowMs: number): void;
}

export function sqliteServiceStateStore(db: SqliteDatabase): ServiceStateStore {
  const select = db.prepare<[string], { value_json: string }>(
    'SELECT value_json FROM service_state WHERE key = ?',
  );
  const upsert = db.prepare(
    `INSERT INTO service_state (key, value_json, updated_at_ms) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json, updated_at_ms = excluded.updated_at_ms`,
  );
  return {
    get<T>(key: string) {
      const row = select.get(key);
      return row ? (JSON.parse(row.value_json) as T) : undefined;
    },
    set(key, value, nowMs) {
      upsert.run(key, JSON.stringify(value), nowMs);
    },
  };
}

export function memoryServiceStateStore(): ServiceStateStore {
  const values = new Map<string, string>();
  return {
    get<T>(key: string) {
      const v = values.get(key);
      return v === undefined ? undefined : (JSON.parse(v) as T);
    },
    set(key, value) {
      values.set(key, JSON.stringify(value));
    },
  };
}
