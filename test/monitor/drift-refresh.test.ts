import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { PipewatchError } from '../../common/index.js';
import { categoricalReferenceFromCounts } from '../../detectors/index.js';
import { DriftRuntime, ReadingsBoard } from '../../monitor/index.js';
import { memoryReferenceStore, type ReferenceStore } from '../../store/index.js';

const t0 = 1_700_000_000_000;
const reference = categoricalReferenceFromCounts({ categories: ['a', 'b'], counts: [5, 5] });

/** An in-memory store whose get() throws for one (feature, version), like a corrupt row. */
function storeWithBadRow(bad: { feature: string; version: number }): ReferenceStore {
  const store = memoryReferenceStore();
  return {
    ...store,
    list: (filter) => store.list(filter),
    register: (input, nowMs) => store.register(input, nowMs),
    delete: (topic, feature, version) => store.delete(topic, feature, version),
    get(topic, feature, version) {
      if (feature === bad.feature && version === bad.version) {
        throw new PipewatchError('REFERENCE_INVALID', 'stored reference does not read back');
      }
      return store.get(topic, feature, version);
    },
  };
}

function runtimeOver(store: ReferenceStore) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const runtime = new DriftRuntime({
    referenceStore: store,
    board: new ReadingsBoard(),
    logger,
    windows: [{ windowSeconds: 60, subWindowSeconds: 10 }],
    thresholds: {},
    minWindowValues: 1,
    evaluateIntervalMs: 1000,
    persistIntervalMs: 1000,
    nowMs: () => t0,
  });
  return { runtime, lines };
}

const register = (store: ReferenceStore, feature: string) =>
  store.register({ topic: 't', feature, source: 'histogram', reference }, t0);

describe('drift refresh with one unreadable stored reference', () => {
  it('watches every other reference and logs the bad one by topic, feature and version', () => {
    const store = storeWithBadRow({ feature: 'broken', version: 1 });
    for (const feature of ['alpha', 'broken', 'zeta']) register(store, feature);
    const { runtime, lines } = runtimeOver(store);
    runtime.refresh(t0);
    assert.deepEqual(
      runtime.features().map((f) => f.feature),
      ['alpha', 'zeta'],
    );
    const errors = lines.filter((l) => l.level === 50);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.topic, 't');
    assert.equal(errors[0]!.feature, 'broken');
    assert.equal(errors[0]!.version, 1);
    // The next tick reads it again but does not log again; a reference registered later is
    // still watched.
    runtime.refresh(t0);
    register(store, 'later');
    runtime.refresh(t0);
    assert.deepEqual(
      runtime.features().map((f) => f.feature),
      ['alpha', 'later', 'zeta'],
    );
    assert.equal(lines.filter((l) => l.level === 50).length, 1);
  });

  it('keeps watching the previous version when its replacement cannot be read', () => {
    const store = storeWithBadRow({ feature: 'amount', version: 2 });
    register(store, 'amount');
    const { runtime } = runtimeOver(store);
    runtime.refresh(t0);
    register(store, 'amount'); // version 2, unreadable
    runtime.refresh(t0);
    assert.equal(runtime.sink.get('t', 'amount')?.version, 1);
  });

  it('refreshes through the notifying store without throwing at the API caller', () => {
    const store = storeWithBadRow({ feature: 'broken', version: 1 });
    const { runtime } = runtimeOver(store);
    const api = runtime.notifying(store);
    register(api, 'broken');
    register(api, 'fine');
    assert.deepEqual(
      runtime.features().map((f) => f.feature),
      ['fine'],
    );
  });
});
