import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PipewatchError } from '../common/index.js';
import { migrations, type Migration } from './migrations.js';

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating if needed) the SQLite file in WAL mode and applies pending migrations in
 * order, each in its own transaction. Migrations are identified by name, so folders can add
 * theirs independently; applied names are recorded in `schema_migrations`.
 */
export function openDatabase(
  filePath: string,
  extraMigrations: readonly Migration[] = [],
): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    if (filePath !== ':memory:') mkdirSync(dirname(filePath), { recursive: true });
    db = new Database(filePath);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new PipewatchError(
      'STORE_FAILURE',
      `cannot open SQLite database ${filePath}: ${(error as Error).message}`,
      { file: filePath },
      { cause: error },
    );
  }
  applyMigrations(db, [...migrations, ...extraMigrations]);
  return db;
}

export function applyMigrations(db: SqliteDatabase, all: readonly Migration[]): string[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms INTEGER NOT NULL)',
  );
  const applied = new Set(
    db
      .prepare('SELECT name FROM schema_migrations')
      .pluck()
      .all()
      .map((n) => String(n)),
  );
  const record = db.prepare('INSERT INTO schema_migrations (name, applied_at_ms) VALUES (?, ?)');
  const newlyApplied: string[] = [];
  for (const migration of all) {
    if (applied.has(migration.name)) continue;
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        record.run(migration.name, Date.now());
      })();
    } catch (error) {
      throw new PipewatchError(
        'STORE_FAILURE',
        `migration ${migration.name} failed: ${(error as Error).message}`,
        { migration: migration.name },
        { cause: error },
      );
    }
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}
