import type { SqliteDatabase } from './database.js';

/** One partition's (end offset, time seen) samples, oldest first. */
export interface SavedEndOffsetHistory {
  readonly topic: string;
  readonly partition: number;
  readonly samples: readonly { readonly endOffset: number; readonly atMs: number }[];
}

/** The lag runtime's offset/time tables across restarts. */
export interface LagHistoryStore {
  loadAll(): SavedEndOffsetHistory[];
  /** Saves (replacing) the given partitions' tables in one transaction. */
  saveAll(histories: readonly SavedEndOffsetHistory[], savedAtMs: number): void;
}

interface Row {
  topic: string;
  partition: number;
  samples_json: string;
}

export function sqliteLagHistoryStore(db: SqliteDatabase): LagHistoryStore {
  const upsert = db.prepare(
    `INSERT INTO lag_end_offset_history (topic, partition, samples_json, saved_at_ms)
     VALUES (?, ?, ?, ?)
     ON CONFLICT(topic, partition) DO UPDATE SET samples_json = excluded.samples_json,
       saved_at_ms = excluded.saved_at_ms`,
  );
  const select = db.prepare<[], Row>(
    'SELECT topic, partition, samples_json FROM lag_end_offset_history',
  );
  const saveAll = db.transaction((histories: readonly SavedEndOffsetHistory[], atMs: number) => {
    for (const h of histories) {
      const pairs = h.samples.map((s) => [s.endOffset, s.atMs]);
      upsert.run(h.topic, h.partition, JSON.stringify(pairs), atMs);
    }
  });
  return {
    loadAll() {
      const out: SavedEndOffsetHistory[] = [];
      for (const row of select.all()) {
        const samples = parseSamples(row.samples_json);
        // A row that does not parse is dropped: the table rebuilds itself from the next polls.
        if (samples) out.push({ topic: row.topic, partition: row.partition, samples });
      }
      return out;
    },
    saveAll: (histories, savedAtMs) => saveAll(histories, savedAtMs),
  };
}

function parseSamples(json: string): SavedEndOffsetHistory['samples'] | undefined {
  try {
    const pairs = JSON.parse(json) as unknown;
    if (!Array.isArray(pairs)) return undefined;
    const samples: { endOffset: number; atMs: number }[] = [];
    for (const p of pairs) {
      if (!Array.isArray(p) || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return undefined;
      samples.push({ endOffset: Number(p[0]), atMs: Number(p[1]) });
    }
    return samples;
  } catch {
    return undefined;
  }
}

/** In-memory fake for the runtime's unit tests. */
export function memoryLagHistoryStore(): LagHistoryStore {
  const rows = new Map<string, SavedEndOffsetHistory>();
  return {
    loadAll: () => [...rows.values()],
    saveAll(histories) {
      for (const h of histories)
        rows.set(`${h.topic}/${h.partition}`, { ...h, samples: [...h.samples] });
    },
  };
}
