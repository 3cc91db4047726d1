import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPipewatchError } from '../../common/index.js';
import {
  createSchemaRegistry,
  type CompatibilityChecker,
  type CompatibilityLevel,
  type SchemaRegistry,
} from '../../schemas/index.js';
import {
  memorySchemaRegistryStore,
  openDatabase,
  sqliteSchemaRegistryStore,
  type SchemaRegistryStore,
} from '../../store/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';

const record = (fields: object[]) => JSON.stringify({ type: 'record', name: 'R', fields });
// The classic case that separates BACKWARD from BACKWARD_TRANSITIVE (Avro resolution rules):
// v3 reads v2 data (f missing in the writer: its default is used) but not v1 data (an int
// cannot be read as a string).
const f1Int = record([{ name: 'f', type: 'int' }]);
const noF = record([]);
const f3String = record([{ name: 'f', type: 'string', default: '' }]);
// FORWARD: the old reader needs `f` (no default) and data written without it lacks it.
const withF = record([{ name: 'f', type: 'int' }]);
const withoutF = record([{ name: 'g', type: 'int', default: 0 }]);

const dir = mkdtempSync(join(tmpdir(), 'pipewatch-registry-levels-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileNumber = 0;

const stores: Record<string, () => SchemaRegistryStore> = {
  sqlite: () => {
    fileNumber += 1;
    return sqliteSchemaRegistryStore(openDatabase(join(dir, `levels-${fileNumber}.sqlite`)));
  },
  memory: () => memorySchemaRegistryStore(),
};

const refusedAsIncompatible = (error: unknown) =>
  isPipewatchError(error) && error.code === 'REGISTRY_SCHEMA_INCOMPATIBLE';

for (const [storeName, makeStore] of Object.entries(stores)) {
  describe(`schema registry level rules (${storeName} store)`, () => {
    const make = (checker: CompatibilityChecker = engineCompatibilityChecker): SchemaRegistry =>
      createSchemaRegistry({ store: makeStore(), checker });
    const registerAll = (registry: SchemaRegistry, subject: string, schemas: string[]) =>
      schemas.map((schema) => registry.register(subject, { schema }).id);

    it('BACKWARD checks only the latest version, BACKWARD_TRANSITIVE all of them', () => {
      const registry = make();
      registerAll(registry, 'plain', [f1Int, noF, f3String]);
      assert.deepEqual(registry.versions('plain'), [1, 2, 3]);
      registry.setSubjectLevel('transitive', 'BACKWARD_TRANSITIVE');
      registerAll(registry, 'transitive', [f1Int, noF]);
      assert.throws(
        () => registry.register('transitive', { schema: f3String }),
        refusedAsIncompatible,
      );
      assert.deepEqual(registry.versions('transitive'), [1, 2]);
    });

    it('FORWARD refuses data the old readers cannot read, BACKWARD accepts it', () => {
      const registry = make();
      registry.setSubjectLevel('fwd', 'FORWARD');
      registry.register('fwd', { schema: withF });
      assert.throws(() => registry.register('fwd', { schema: withoutF }), refusedAsIncompatible);
      registry.register('bwd', { schema: withF });
      registry.register('bwd', { schema: withoutF });
      assert.deepEqual(registry.versions('bwd'), [1, 2]);
    });

    it('FULL needs both directions', () => {
      const registry = make();
      registry.setGlobalLevel('FULL');
      registry.register('full', { schema: withF });
      // BACKWARD-compatible (g has a default) but not FORWARD (old readers need f).
      assert.throws(() => registry.register('full', { schema: withoutF }), refusedAsIncompatible);
      const both = record([
        { name: 'f', type: 'int' },
        { name: 'h', type: 'int', default: 1 },
      ]);
      registry.register('full', { schema: both });
    });

    it('NONE accepts anything, even a different type', () => {
      const registry = make();
      registry.setGlobalLevel('NONE');
      registerAll(registry, 'any', [
        f1Int,
        '"string"',
        f3String,
        '{"type":"array","items":"long"}',
      ]);
      assert.deepEqual(registry.versions('any'), [1, 2, 3, 4]);
    });

    it("a subject's own level overrides the global one, and deleting it restores the global", () => {
      const registry = make();
      registry.setGlobalLevel('NONE');
      registry.setSubjectLevel('strict', 'BACKWARD');
      registry.register('strict', { schema: withF });
      registry.register('loose', { schema: withF });
      const breaking = record([{ name: 'f', type: 'string' }]);
      assert.throws(() => registry.register('strict', { schema: breaking }), refusedAsIncompatible);
      registry.register('loose', { schema: breaking });
      assert.equal(registry.effectiveLevel('strict'), 'BACKWARD');
      assert.equal(registry.deleteSubjectLevel('strict'), 'BACKWARD');
      assert.equal(registry.effectiveLevel('strict'), 'NONE');
      registry.register('strict', { schema: breaking });
    });

    it('the compatibility test honours _TRANSITIVE even for a named version', () => {
      const registry = make();
      registry.setSubjectLevel('t', 'BACKWARD_TRANSITIVE');
      registry.setSubjectLevel('p', 'BACKWARD');
      for (const subject of ['t', 'p']) registerAll(registry, subject, [f1Int, noF]);
      // Against version 2 alone f3String is fine; version 1 makes it incompatible.
      assert.equal(registry.testCompatibility('p', '2', { schema: f3String }).compatible, true);
      assert.equal(
        registry.testCompatibility('p', 'latest', { schema: f3String }).compatible,
        true,
      );
      assert.equal(registry.testCompatibility('p', '1', { schema: f3String }).compatible, false);
      assert.equal(registry.testCompatibility('t', '2', { schema: f3String }).compatible, false);
      const verbose = registry.testCompatibility('t', 'latest', { schema: f3String });
      assert.equal(verbose.compatible, false);
      // One message, and it names version 1: the transitive check is what found it.
      assert.equal(verbose.messages.length, 1, verbose.messages.join('\n'));
      assert.match(verbose.messages[0]!, /^\{errorType:'TYPE_MISMATCH', /);
      assert.match(verbose.messages[0]!, /previous schema 1 of 2/);
      assert.match(verbose.messages[0]!, /path:'\/fields\/f\/type'/);
    });

    it('soft-deleted versions take no part in the check', () => {
      const registry = make();
      registry.setSubjectLevel('s', 'BACKWARD_TRANSITIVE');
      registerAll(registry, 's', [f1Int, noF]);
      registry.deleteVersion('s', '1');
      registry.register('s', { schema: f3String });
      assert.deepEqual(registry.versions('s'), [2, 3]);
    });

    it('hands the checker the versions the level names, oldest first, and never for NONE', () => {
      const seen: { previous: readonly string[]; level: CompatibilityLevel }[] = [];
      const recording: CompatibilityChecker = ({ previous, level }) => {
        seen.push({ previous, level });
        return { compatible: true, messages: [] };
      };
      const registry = make(recording);
      const schemas = [0, 1, 2].map((n) => record([{ name: `f${n}`, type: 'int', default: n }]));
      registry.setSubjectLevel('all', 'FULL_TRANSITIVE');
      registerAll(registry, 'all', schemas);
      registerAll(registry, 'latest', schemas);
      registry.setSubjectLevel('none', 'NONE');
      registerAll(registry, 'none', schemas);
      assert.deepEqual(seen, [
        { previous: [schemas[0]], level: 'FULL_TRANSITIVE' },
        { previous: [schemas[0], schemas[1]], level: 'FULL_TRANSITIVE' },
        { previous: [schemas[0]], level: 'BACKWARD' },
        { previous: [schemas[1]], level: 'BACKWARD' },
      ]);
    });

    it('never reuses an id, even after a permanent delete', () => {
      const registry = make();
      const [id1] = registerAll(registry, 'x', [withF]);
      registry.deleteSubject('x');
      registry.deleteSubject('x', { permanent: true });
      const [id2] = registerAll(registry, 'y', [withoutF]);
      assert.ok(id2! > id1!);
      assert.throws(() => registry.schemaById(id1!), { code: 'REGISTRY_SCHEMA_NOT_FOUND' });
    });

    it('re-registering a soft-deleted schema makes a new version with the same id', () => {
      const registry = make();
      const [id] = registerAll(registry, 'z', [withF]);
      registry.deleteVersion('z', '1');
      assert.deepEqual(registry.register('z', { schema: withF }), { id });
      assert.deepEqual(registry.versions('z'), [2]);
      assert.deepEqual(registry.subjectVersionsOfSchema(id!), [{ subject: 'z', version: 2 }]);
    });

    it('rejects bad levels with REGISTRY_LEVEL_INVALID and stores levels in upper case', () => {
      const registry = make();
      assert.throws(() => registry.setGlobalLevel('LOOSE'), { code: 'REGISTRY_LEVEL_INVALID' });
      assert.throws(() => registry.setSubjectLevel('s', 7), { code: 'REGISTRY_LEVEL_INVALID' });
      assert.equal(registry.setSubjectLevel('s', 'forward_transitive'), 'FORWARD_TRANSITIVE');
      assert.equal(registry.subjectLevel('s'), 'FORWARD_TRANSITIVE');
    });
  });
}
