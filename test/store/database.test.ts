import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isPipewatchError } from '../../common/index.js';
import { openDatabase, sqliteServiceStateStore } from '../../store/index.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'pipewatch-store-')), 'nested', 'db.sqlite');

describe('SQLite store', () => {
  it('creates the folder, uses WAL and records applied migrations', () => {
    const db = openDatabase(tempFile());
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    const names = db.prepare('SELECT name FROM schema_migrations').pluck().all();
    assert.ok(names.includes('0001_core_service_state'));
    db.close();
  });

  it('applies a new migration once and keeps data across reopen', () => {
    const file = tempFile();
    const extra = [{ name: '9001_test_widgets', sql: 'CREATE TABLE widgets (id INTEGER)' }];
    const first = openDatabase(file, extra);
    sqliteServiceStateStore(first).set('answer', { value: 42 }, 1);
    first.prepare('INSERT INTO widgets (id) VALUES (7)').run();
    first.close();

    const second = openDatabase(file, extra);
    assert.deepEqual(sqliteServiceStateStore(second).get('answer'), { value: 42 });
    assert.equal(second.prepare('SELECT id FROM widgets').pluck().get(), 7);
    second.close();
  });

  it('rolls back a failing migration and names it', () => {
    const file = tempFile();
    const broken = [{ name: '9002_test_broken', sql: 'CREATE TABLE ok (id INTEGER); NOT SQL' }];
    try {
      openDatabase(file, broken);
      assert.fail('expected failure');
    } catch (error) {
      assert.ok(isPipewatchError(error));
      assert.equal(error.code, 'STORE_FAILURE');
      assert.match(error.message, /9002_test_broken/);
    }
    const db = openDatabase(file);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok'").all();
    assert.deepEqual(tables, [], 'the half-applied migration left nothing behind');
    db.close();
  });
});
