import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  categoricalReferenceFromValues,
  numericReferenceFromValues,
} from '../../detectors/index.js';
import {
  memoryReferenceStore,
  openDatabase,
  sqliteReferenceStore,
  type ReferenceStore,
} from '../../store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'pipewatch-refs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const amount = numericReferenceFromValues([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null], { bins: 4 });
const country = categoricalReferenceFromValues(['de', 'fr', 'de']);

function contract(name: string, open: () => ReferenceStore) {
  describe(`${name} reference store`, () => {
    it('numbers versions per topic and feature and fetches latest or a given one', () => {
      const store = open();
      const v1 = store.register(
        { topic: 't', feature: 'amount', source: 'values', reference: amount },
        10,
      );
      const v2 = store.register(
        {
          topic: 't',
          feature: 'amount',
          source: 'histogram',
          reference: amount,
          details: { a: 1 },
        },
        20,
      );
      const other = store.register(
        { topic: 't', feature: 'country', source: 'values', reference: country },
        30,
      );
      assert.deepEqual([v1.version, v2.version, other.version], [1, 2, 1]);
      const latest = store.get('t', 'amount');
      assert.equal(latest?.version, 2);
      assert.equal(latest?.source, 'histogram');
      assert.deepEqual(latest?.details, { a: 1 });
      assert.deepEqual(latest?.reference, amount);
      assert.equal(store.get('t', 'amount', 1)?.createdAtMs, 10);
      assert.equal(store.get('t', 'amount', 3), undefined);
      assert.equal(store.get('t', 'nope'), undefined);
      assert.deepEqual(store.get('t', 'country')?.reference, country);
    });

    it('lists summaries, optionally of one topic', () => {
      const store = open();
      store.register({ topic: 'b', feature: 'x', source: 'values', reference: amount }, 1);
      store.register({ topic: 'a', feature: 'y', source: 'values', reference: country }, 2);
      store.register({ topic: 'a', feature: 'x', source: 'values', reference: amount }, 3);
      const all = store.list();
      assert.deepEqual(
        all.map((r) => `${r.topic}/${r.feature}@${r.version}`),
        ['a/x@1', 'a/y@1', 'b/x@1'],
      );
      const first = all[0]!;
      assert.equal(first.kind, 'numeric');
      assert.equal(first.n, 10);
      assert.equal(first.nullCount, 1);
      assert.equal(first.bins, 4);
      assert.ok(!('reference' in first));
      assert.deepEqual(
        store.list({ topic: 'b' }).map((r) => r.feature),
        ['x'],
      );
    });

    it('deletes one version or all, and never reuses a version number', () => {
      const store = open();
      for (let i = 0; i < 3; i++) {
        store.register({ topic: 't', feature: 'f', source: 'values', reference: amount }, i);
      }
      assert.equal(store.delete('t', 'f', 3), 1);
      assert.equal(store.delete('t', 'f', 3), 0);
      assert.equal(store.get('t', 'f')?.version, 2);
      assert.equal(
        store.register({ topic: 't', feature: 'f', source: 'values', reference: amount }, 9)
          .version,
        4,
      );
      assert.equal(store.delete('t', 'f'), 3);
      assert.equal(store.get('t', 'f'), undefined);
      assert.equal(
        store.register({ topic: 't', feature: 'f', source: 'values', reference: amount }, 9)
          .version,
        5,
      );
    });
  });
}

let fileCount = 0;
contract('SQLite', () =>
  sqliteReferenceStore(openDatabase(join(dir, `refs-${fileCount++}.sqlite`))),
);
contract('in-memory', memoryReferenceStore);

describe('SQLite reference store on disk', () => {
  it('keeps references across reopening the file', () => {
    const file = join(dir, 'reopen.sqlite');
    const db = openDatabase(file);
    sqliteReferenceStore(db).register(
      { topic: 't', feature: 'f', source: 'values', reference: amount },
      5,
    );
    db.close();
    const again = openDatabase(file);
    assert.deepEqual(sqliteReferenceStore(again).get('t', 'f')?.reference, amount);
    again.close();
  });
});
