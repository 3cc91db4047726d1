import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  categoricalReferenceFromValues,
  numericReferenceFromValues,
  referenceToJson,
  type FeatureReference,
} from '../../detectors/index.js';
import {
  memoryReferenceStore,
  openDatabase,
  sqliteReferenceStore,
  type InvalidReference,
  type SqliteDatabase,
} from '../../store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pipewatch-refs-invalid-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const amount = numericReferenceFromValues([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { bins: 4 });
const country = categoricalReferenceFromValues(['de', 'fr', 'de']);

/** Writes a row the way an older pipewatch (or a hand edit) could have: straight SQL. */
function insertRaw(
  db: SqliteDatabase,
  row: { topic: string; feature: string; version: number; kind: string; json: string },
) {
  db.prepare(
    `INSERT INTO drift_reference_versions (topic, feature, last_version) VALUES (?, ?, ?)
     ON CONFLICT(topic, feature) DO UPDATE SET last_version = MAX(last_version, excluded.last_version)`,
  ).run(row.topic, row.feature, row.version);
  db.prepare(
    `INSERT INTO drift_references (topic, feature, version, kind, source, created_at_ms, n,
       null_count, bins, reference_json, details_json)
     VALUES (?, ?, ?, ?, 'values', 1, 2, 0, 2, ?, '{}')`,
  ).run(row.topic, row.feature, row.version, row.kind, row.json);
}

/**
 * What the old write path stored for {"values":[-1e308,1e308]}: the bin edge overflowed to
 * Infinity and JSON wrote it as null. Built from a valid reference with the edge replaced.
 */
function overflowedEdgeJson(): string {
  const json = referenceToJson(amount) as unknown as Record<string, unknown>;
  return JSON.stringify({ ...json, edges: [null, 5.5, 7.75] });
}

describe('SQLite reference store with rows that no longer validate', () => {
  it('lists and gets the good rows and names each bad one once', () => {
    const db = openDatabase(join(dir, 'poisoned.sqlite'));
    const reported: InvalidReference[] = [];
    const store = sqliteReferenceStore(db, { onInvalid: (r) => reported.push(r) });
    store.register({ topic: 't', feature: 'amount', source: 'values', reference: amount }, 1);
    store.register({ topic: 't', feature: 'country', source: 'values', reference: country }, 1);
    // Version 2 of amount is poisoned: the latest valid one (1) must stay usable.
    insertRaw(db, {
      topic: 't',
      feature: 'amount',
      version: 2,
      kind: 'numeric',
      json: overflowedEdgeJson(),
    });
    // counts [1e308, 1e308]: n overflowed to Infinity, stored as null.
    const infiniteN = { ...referenceToJson(country), counts: [1e308, 1e308], n: null };
    insertRaw(db, {
      topic: 't',
      feature: 'p',
      version: 1,
      kind: 'categorical',
      json: JSON.stringify(infiniteN),
    });
    insertRaw(db, { topic: 'u', feature: 'q', version: 1, kind: 'numeric', json: '{"kind":' });

    assert.deepEqual(
      store.list().map((r) => `${r.topic}/${r.feature}@${r.version}`),
      ['t/amount@1', 't/country@1'],
    );
    assert.equal(store.get('t', 'amount')?.version, 1, 'latest valid version');
    assert.equal(store.get('t', 'amount', 2), undefined);
    assert.equal(store.get('t', 'p'), undefined);
    assert.equal(store.get('u', 'q'), undefined);
    assert.deepEqual(store.get('t', 'country')?.reference, country);

    const invalid = store.invalid!();
    assert.deepEqual(
      invalid.map((r) => `${r.topic}/${r.feature}@${r.version}`),
      ['t/amount@2', 't/p@1', 'u/q@1'],
    );
    assert.match(invalid[0]!.error, /reference\.edges\[0\] must be a finite number, got null/);
    assert.match(invalid[1]!.error, /reference\.n must be a finite number > 0, got null/);
    assert.match(invalid[2]!.error, /JSON/);
    assert.deepEqual(
      store.invalid!({ topic: 'u' }).map((r) => r.feature),
      ['q'],
    );
    // Reported once per row, however often the rows are read.
    store.list();
    store.get('t', 'p');
    assert.deepEqual(reported.map((r) => `${r.topic}/${r.feature}@${r.version}`).sort(), [
      't/amount@2',
      't/p@1',
      'u/q@1',
    ]);
    db.close();
  });

  it('warns by default, naming topic, feature and version', async () => {
    const db = openDatabase(join(dir, 'warn.sqlite'));
    insertRaw(db, {
      topic: 't',
      feature: 'p',
      version: 3,
      kind: 'numeric',
      json: overflowedEdgeJson(),
    });
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    assert.deepEqual(sqliteReferenceStore(db).list(), []);
    const warning = await warned;
    assert.match(warning.message, /topic="t" feature="p" version=3 is invalid and skipped/);
    db.close();
  });
});

describe('reference stores refuse what they could not read back', () => {
  // Built by hand, past the builders: what a caller with its own arithmetic could hand in.
  const overflowed: FeatureReference = Object.freeze({
    ...amount,
    edges: Float64Array.of(Infinity),
    counts: Float64Array.of(5, 5),
    fineEdges: Float64Array.of(1, Infinity),
    fineCounts: Float64Array.of(0, 5, 5),
  });
  const hugeCounts: FeatureReference = Object.freeze({
    ...country,
    counts: Float64Array.of(1e308, 1e308),
    n: Infinity,
  });
  for (const [name, open] of [
    ['SQLite', () => sqliteReferenceStore(openDatabase(join(dir, 'refuse.sqlite')))],
    ['in-memory', memoryReferenceStore],
  ] as const) {
    it(`${name}: register throws REFERENCE_INVALID naming the field and stores nothing`, () => {
      const store = open();
      for (const [reference, field] of [
        [overflowed, /reference\.edges\[0\] must be a finite number/],
        [hugeCounts, /reference\.n must be a finite number > 0/],
      ] as const) {
        assert.throws(
          () => store.register({ topic: 't', feature: 'f', source: 'values', reference }, 1),
          (error: Error & { code?: string }) =>
            error.code === 'REFERENCE_INVALID' && field.test(error.message),
        );
      }
      assert.deepEqual(store.list(), []);
    });
  }
});
