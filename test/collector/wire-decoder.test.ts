import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createWireDecoder,
  encodeConfluentFrame,
  SchemaResolver,
  type DecodeOutcome,
  type RegistryHttp,
  type TappedRecord,
} from '../../collector/index.js';
import { PipewatchError } from '../../common/index.js';

const txn = JSON.stringify({
  type: 'record',
  name: 'Txn',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'long' },
  ],
});

/** An in-memory registry with the answers of the Confluent REST API, and a switch to fail. */
function fakeRegistry() {
  const schemas = new Map<number, string>([[1, txn]]);
  const subjects = new Map<number, { subject: string; version: number }[]>([
    [1, [{ subject: 't-value', version: 1 }]],
  ]);
  const state = { down: false, calls: 0, compatible: true };
  const guard = () => {
    state.calls += 1;
    if (state.down) throw new PipewatchError('SCHEMA_REGISTRY_UNAVAILABLE', 'registry down');
  };
  const registry: RegistryHttp = {
    url: 'http://fake',
    async schemaById(id) {
      guard();
      const schema = schemas.get(id);
      return schema === undefined ? undefined : { schema, schemaType: 'AVRO' };
    },
    async subjectsOfSchema(id) {
      guard();
      return subjects.get(id) ?? [];
    },
    async latestVersion(subject) {
      guard();
      return subject === 't-value' ? { subject, version: 1, id: 1, schema: txn } : undefined;
    },
    async testCompatibility() {
      guard();
      return { compatible: state.compatible, messages: state.compatible ? [] : ['reader field'] };
    },
  };
  return { registry, schemas, subjects, state };
}

const record = (value: Buffer | null, topic = 't'): TappedRecord => ({
  topic,
  partition: 0,
  offset: '0',
  timestampMs: 0,
  key: null,
  headers: {},
  value,
});
// Avro binary of {id: "a", n: 1}: string = zigzag length 1 (0x02) + "a"; long 1 = zigzag 0x02.
const avroTxn = Buffer.from([0x02, 0x61, 0x02]);

const kindOf = (outcome: DecodeOutcome) => (outcome.ok ? 'ok' : outcome.kind);

describe('wire decoder', () => {
  const setup = () => {
    const fake = fakeRegistry();
    const clock = { nowMs: 0 };
    const resolver = new SchemaResolver({
      registry: fake.registry,
      clock: () => clock.nowMs,
      unknownIdTtlMs: 1000,
      verdictTtlMs: 5000,
      retryAfterMs: 100,
      maxUnknownIds: 2,
    });
    const decode = createWireDecoder({
      resolver,
      topics: { j: { format: 'json' }, other: { format: 'avro', subject: 'elsewhere' } },
    });
    return { fake, clock, decode };
  };

  it('decodes a framed Avro record and classifies each kind of bad record', async () => {
    const { decode } = setup();
    const ok = await decode(record(encodeConfluentFrame(1, avroTxn)));
    assert.ok(ok.ok);
    assert.deepEqual({ ...ok.record.payload }, { id: 'a', n: 1 });
    assert.equal(ok.record.schemaId, 1);
    const cases: [TappedRecord, string][] = [
      [record(null), 'null_value'],
      [record(Buffer.from('{}')), 'no_magic_byte'],
      [record(Buffer.from([0, 0, 0])), 'no_magic_byte'],
      [record(encodeConfluentFrame(9, avroTxn)), 'unknown_schema_id'],
      [record(encodeConfluentFrame(1, avroTxn.subarray(0, 2))), 'undecodable_payload'],
      [
        record(encodeConfluentFrame(1, Buffer.concat([avroTxn, Buffer.from([0])]))),
        'undecodable_payload',
      ],
      [record(encodeConfluentFrame(1, avroTxn), 'other'), 'wrong_subject'],
      [record(Buffer.from('nope'), 'j'), 'invalid_json'],
      [record(Buffer.from('{"a":1}'), 'j'), 'ok'],
    ];
    for (const [input, kind] of cases) assert.equal(kindOf(await decode(input)), kind, kind);
  });

  it('answers a warm record without a promise and without registry calls', async () => {
    const { fake, decode } = setup();
    await decode(record(encodeConfluentFrame(1, avroTxn)));
    const calls = fake.state.calls;
    const warm = decode(record(encodeConfluentFrame(1, avroTxn)));
    assert.ok(!(warm instanceof Promise));
    assert.equal(fake.state.calls, calls);
  });

  it('re-asks about an unknown id after its TTL, so a later registration is seen', async () => {
    const { fake, clock, decode } = setup();
    const framed = record(encodeConfluentFrame(2, avroTxn));
    assert.equal(kindOf(await decode(framed)), 'unknown_schema_id');
    fake.schemas.set(2, txn);
    fake.subjects.set(2, [{ subject: 't-value', version: 2 }]);
    clock.nowMs = 999;
    assert.equal(kindOf(await decode(framed)), 'unknown_schema_id');
    clock.nowMs = 1000;
    assert.equal(kindOf(await decode(framed)), 'ok');
  });

  it('flags a foreign writer schema the subject would refuse, re-judged after the TTL', async () => {
    const { fake, clock, decode } = setup();
    fake.state.compatible = false;
    const framed = record(encodeConfluentFrame(1, avroTxn), 'other');
    const outcome = await decode(framed);
    assert.equal(kindOf(outcome), 'incompatible_schema');
    assert.match(!outcome.ok ? outcome.message : '', /reader field/);
    fake.state.compatible = true;
    clock.nowMs = 4999;
    assert.equal(kindOf(await decode(framed)), 'incompatible_schema');
    clock.nowMs = 5000;
    assert.equal(kindOf(await decode(framed)), 'wrong_subject');
  });

  it('survives a registry outage: unavailable, stale verdicts kept, backoff, recovery', async () => {
    const { fake, clock, decode } = setup();
    const known = record(encodeConfluentFrame(1, avroTxn));
    assert.ok((await decode(known)).ok);
    fake.schemas.set(3, txn);
    fake.subjects.set(3, [{ subject: 't-value', version: 3 }]);
    fake.state.down = true;
    const fresh = record(encodeConfluentFrame(3, avroTxn));
    assert.equal(kindOf(await decode(fresh)), 'registry_unavailable');
    const calls = fake.state.calls;
    assert.equal(kindOf(await decode(fresh)), 'registry_unavailable');
    assert.equal(fake.state.calls, calls, 'no call during the retry back-off');
    clock.nowMs = 6000; // past the verdict TTL of id 1: the stale verdict is still served
    assert.ok((await decode(known)).ok);
    fake.state.down = false;
    clock.nowMs = 6200;
    assert.equal(kindOf(await decode(fresh)), 'ok');
  });

  it('keeps at most maxUnknownIds unknown-id verdicts, dropping the oldest', async () => {
    const { fake, decode } = setup();
    for (const id of [10, 11, 12]) {
      assert.equal(
        kindOf(await decode(record(encodeConfluentFrame(id, avroTxn)))),
        'unknown_schema_id',
      );
    }
    for (const id of [10, 12]) {
      fake.schemas.set(id, txn);
      fake.subjects.set(id, [{ subject: 't-value', version: id }]);
    }
    // 10 was dropped, so it is asked again at once; 12 is still believed unknown until its TTL.
    assert.equal(kindOf(await decode(record(encodeConfluentFrame(10, avroTxn)))), 'ok');
    assert.equal(
      kindOf(await decode(record(encodeConfluentFrame(12, avroTxn)))),
      'unknown_schema_id',
    );
  });
});
