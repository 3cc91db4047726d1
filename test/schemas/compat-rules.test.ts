// Rule-by-rule cases of the Avro specification's "Schema Resolution" section, each evolution
// checked in both directions (BACKWARD: the new schema reads old data; FORWARD: the old schema
// reads new data). Expected verdicts follow the specification; avsc's resolver is asked too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCompatibility,
  parseAvroSchema,
  type CompatibilityLevel,
} from '../../schemas/index.js';
import { avscVerdict } from './avro-test-schemas.js';

const rec = (fields: unknown[], name = 'Payment', namespace?: string) => ({
  type: 'record',
  name,
  ...(namespace === undefined ? {} : { namespace }),
  fields,
});
const f = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  ...extra,
});
const one = (type: unknown, extra: Record<string, unknown> = {}) => rec([f('amount', type, extra)]);
const status = (symbols: string[], extra: Record<string, unknown> = {}) =>
  rec([f('status', { type: 'enum', name: 'Status', symbols, ...extra })]);

/** [kind, path] of the one incompatibility expected in that direction, or 'ok'. */
type Outcome = 'ok' | readonly [string, string];

interface Rule {
  readonly title: string;
  readonly old: unknown;
  readonly next: unknown;
  readonly backward: Outcome;
  readonly forward: Outcome;
}

const typeAt = (path: string) => ['TYPE_MISMATCH', path] as const;
const rules: readonly Rule[] = [
  {
    title: 'int → long',
    old: one('int'),
    next: one('long'),
    backward: 'ok',
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'int → float',
    old: one('int'),
    next: one('float'),
    backward: 'ok',
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'int → double',
    old: one('int'),
    next: one('double'),
    backward: 'ok',
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'long → float',
    old: one('long'),
    next: one('float'),
    backward: 'ok',
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'long → double',
    old: one('long'),
    next: one('double'),
    backward: 'ok',
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'float → double',
    old: one('float'),
    next: one('double'),
    backward: 'ok',
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'string → bytes',
    old: one('string'),
    next: one('bytes'),
    backward: 'ok',
    forward: 'ok',
  },
  {
    title: 'int → string',
    old: one('int'),
    next: one('string'),
    backward: typeAt('/fields/amount/type'),
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'logical types are ignored: long → timestamp-millis long',
    old: one('long'),
    next: one({ type: 'long', logicalType: 'timestamp-millis' }),
    backward: 'ok',
    forward: 'ok',
  },
  {
    title: 'add a field with a default',
    old: rec([f('id', 'string')]),
    next: rec([f('id', 'string'), f('note', 'string', { default: '' })]),
    backward: 'ok',
    forward: 'ok',
  },
  {
    title: 'add a field without a default',
    old: rec([f('id', 'string')]),
    next: rec([f('id', 'string'), f('note', 'string')]),
    backward: ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/note'],
    forward: 'ok',
  },
  {
    title: 'remove a field that had a default',
    old: rec([f('id', 'string'), f('note', ['null', 'string'], { default: null })]),
    next: rec([f('id', 'string')]),
    backward: 'ok',
    forward: 'ok',
  },
  {
    title: 'remove a field without a default',
    old: rec([f('id', 'string'), f('note', 'string')]),
    next: rec([f('id', 'string')]),
    backward: 'ok',
    forward: ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/note'],
  },
  {
    title: 'add an enum symbol',
    old: status(['NEW', 'PAID']),
    next: status(['NEW', 'PAID', 'REFUNDED']),
    backward: 'ok',
    forward: ['MISSING_ENUM_SYMBOLS', '/fields/status/type/symbols'],
  },
  {
    title: 'add an enum symbol when the old enum has an enum default',
    old: status(['UNKNOWN', 'NEW', 'PAID'], { default: 'UNKNOWN' }),
    next: status(['UNKNOWN', 'NEW', 'PAID', 'REFUNDED'], { default: 'UNKNOWN' }),
    backward: 'ok',
    forward: 'ok',
  },
  {
    title: 'remove an enum symbol',
    old: status(['NEW', 'PAID', 'VOID']),
    next: status(['NEW', 'PAID']),
    backward: ['MISSING_ENUM_SYMBOLS', '/fields/status/type/symbols'],
    forward: 'ok',
  },
  {
    title: 'rename an enum',
    old: status(['NEW']),
    next: rec([f('status', { type: 'enum', name: 'State', symbols: ['NEW'] })]),
    backward: ['NAME_MISMATCH', '/fields/status/type/name'],
    forward: ['NAME_MISMATCH', '/fields/status/type/name'],
  },
  {
    title: 'add a union branch',
    old: one(['null', 'string']),
    next: one(['null', 'string', 'int']),
    backward: 'ok',
    forward: ['MISSING_UNION_BRANCH', '/fields/amount/type/2'],
  },
  {
    title: 'make a field nullable',
    old: one('string'),
    next: one(['null', 'string']),
    backward: 'ok',
    forward: typeAt('/fields/amount/type/0'),
  },
  {
    title: 'a union branch promoted: [null,int] → [null,long]',
    old: one(['null', 'int']),
    next: one(['null', 'long']),
    backward: 'ok',
    forward: ['MISSING_UNION_BRANCH', '/fields/amount/type/1'],
  },
  {
    title: 'nested record gains a field without a default',
    old: rec([f('customer', rec([f('id', 'string')], 'Customer'))]),
    next: rec([f('customer', rec([f('id', 'string'), f('zip', 'string')], 'Customer'))]),
    backward: ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/customer/type/fields/zip'],
    forward: 'ok',
  },
  {
    title: 'array items int → long',
    old: one({ type: 'array', items: 'int' }),
    next: one({ type: 'array', items: 'long' }),
    backward: 'ok',
    forward: typeAt('/fields/amount/type/items'),
  },
  {
    title: 'map values float → double',
    old: one({ type: 'map', values: 'float' }),
    next: one({ type: 'map', values: 'double' }),
    backward: 'ok',
    forward: typeAt('/fields/amount/type/values'),
  },
  {
    title: 'array → map',
    old: one({ type: 'array', items: 'int' }),
    next: one({ type: 'map', values: 'int' }),
    backward: typeAt('/fields/amount/type'),
    forward: typeAt('/fields/amount/type'),
  },
  {
    title: 'fixed size 16 → 32',
    old: one({ type: 'fixed', name: 'Hash', size: 16 }),
    next: one({ type: 'fixed', name: 'Hash', size: 32 }),
    backward: ['FIXED_SIZE_MISMATCH', '/fields/amount/type/size'],
    forward: ['FIXED_SIZE_MISMATCH', '/fields/amount/type/size'],
  },
  {
    title: 'fixed renamed',
    old: one({ type: 'fixed', name: 'Hash', size: 16 }),
    next: one({ type: 'fixed', name: 'Digest', size: 16 }),
    backward: ['NAME_MISMATCH', '/fields/amount/type/name'],
    forward: ['NAME_MISMATCH', '/fields/amount/type/name'],
  },
  {
    title: 'record renamed without an alias',
    old: rec([f('id', 'string')], 'Payment'),
    next: rec([f('id', 'string')], 'Charge'),
    backward: ['NAME_MISMATCH', '/name'],
    forward: ['NAME_MISMATCH', '/name'],
  },
  {
    title: 'record renamed with an alias in the new schema (reader aliases apply)',
    old: rec([f('id', 'string')], 'Payment', 'shop'),
    next: { ...rec([f('id', 'string')], 'Charge', 'shop'), aliases: ['Payment'] },
    backward: 'ok',
    forward: ['NAME_MISMATCH', '/name'],
  },
  {
    title: 'field renamed with an alias in the new schema',
    old: rec([f('amount', 'int')]),
    next: rec([f('total', 'int', { aliases: ['amount'] })]),
    backward: 'ok',
    forward: ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/amount'],
  },
  {
    title: 'namespace changed: namespaces are ignored for name matching',
    old: rec([f('status', { type: 'enum', name: 'Status', symbols: ['A'] })], 'Payment', 'shop.v1'),
    next: rec(
      [f('status', { type: 'enum', name: 'Status', symbols: ['A'] })],
      'Payment',
      'shop.v2',
    ),
    backward: 'ok',
    forward: 'ok',
  },
  {
    title: 'recursive record: head int → long',
    old: rec([f('head', 'int'), f('tail', ['null', 'Node'], { default: null })], 'Node'),
    next: rec([f('head', 'long'), f('tail', ['null', 'Node'], { default: null })], 'Node'),
    backward: 'ok',
    forward: typeAt('/fields/head/type'),
  },
];

function incompatibilities(level: CompatibilityLevel, old: unknown, next: unknown) {
  const result = checkCompatibility({
    candidate: parseAvroSchema(JSON.stringify(next)),
    previous: [parseAvroSchema(JSON.stringify(old))],
    level,
  });
  assert.equal(result.compatible, result.incompatibilities.length === 0);
  return result.incompatibilities;
}

describe('schema resolution rules, both directions', () => {
  for (const rule of rules) {
    for (const [level, expected] of [
      ['BACKWARD', rule.backward],
      ['FORWARD', rule.forward],
    ] as const) {
      it(`${rule.title}: ${level} ${expected === 'ok' ? 'compatible' : expected.join(' at ')}`, () => {
        const found = incompatibilities(level, rule.old, rule.next);
        const direction = level === 'BACKWARD' ? 'backward' : 'forward';
        assert.deepEqual(
          found.map((i) => [i.kind, i.path, i.direction]),
          expected === 'ok' ? [] : [[...expected, direction]],
        );
        const [reader, writer] =
          level === 'BACKWARD' ? [rule.next, rule.old] : [rule.old, rule.next];
        assert.equal(avscVerdict(reader, writer), expected === 'ok', 'avsc agrees');
      });
    }
    it(`${rule.title}: FULL reports both directions`, () => {
      const found = incompatibilities('FULL', rule.old, rule.next);
      const expected = [rule.backward, rule.forward].filter((o) => o !== 'ok').length;
      assert.equal(found.length, expected);
    });
  }
});
