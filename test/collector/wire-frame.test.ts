import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeConfluentFrame, parseConfluentFrame } from '../../collector/index.js';

describe('Confluent wire frame', () => {
  it('reads the big-endian schema id after the magic byte', () => {
    // Confluent's documented layout: byte 0 = 0, bytes 1-4 = schema id (big-endian), then data.
    const value = Buffer.from([0x00, 0x00, 0x00, 0x01, 0x02, 0x06, 0x66, 0x6f, 0x6f]);
    assert.deepEqual(parseConfluentFrame(value), { ok: true, schemaId: 258, payloadOffset: 5 });
  });

  it('accepts a header with an empty payload (a record of no fields)', () => {
    assert.deepEqual(parseConfluentFrame(Buffer.from([0, 0x7f, 0xff, 0xff, 0xff])), {
      ok: true,
      schemaId: 2_147_483_647,
      payloadOffset: 5,
    });
  });

  it('refuses a first byte other than 0x00 and says which it was', () => {
    const outcome = parseConfluentFrame(Buffer.from('{"amount":1}'));
    assert.equal(outcome.ok, false);
    assert.match(!outcome.ok ? outcome.message : '', /first byte is 0x7b/);
  });

  it('refuses values shorter than the 5-byte header', () => {
    for (const bytes of [[], [0], [0, 0, 0, 1]]) {
      const outcome = parseConfluentFrame(Buffer.from(bytes));
      assert.equal(outcome.ok, false);
      assert.match(!outcome.ok ? outcome.message : '', new RegExp(`has ${bytes.length} bytes`));
    }
  });

  it('frames a payload the way Confluent serializers do', () => {
    const framed = encodeConfluentFrame(7, Buffer.from([0x02, 0x61]));
    assert.deepEqual([...framed], [0, 0, 0, 0, 7, 0x02, 0x61]);
  });
});
