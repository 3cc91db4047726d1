// Levels, reporting and parsing: which versions each Confluent level checks, that every
// incompatibility is reported with its direction and version, readable messages, and clear
// SCHEMA_INVALID errors for schemas Apache Avro's parser rejects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPipewatchError } from '../../common/index.js';
import {
  checkCompatibility,
  compatibilityLevels,
  isCompatibilityLevel,
  isCompatibleWith,
  parseAvroSchema,
  type CompatibilityLevel,
} from '../../schemas/index.js';

const schema = (fields: unknown[]) =>
  parseAvroSchema({ type: 'record', name: 'Payment', namespace: 'shop', fields });
const v1 = schema([{ name: 'id', type: 'string' }]);
const v2 = schema([
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'int', default: 0 },
]);
// v3 drops the default of amount and narrows id: compatible with nothing backward.
const v3 = schema([
  { name: 'id', type: 'int' },
  { name: 'amount', type: 'long' },
]);

function check(level: CompatibilityLevel, previous = [v1, v2]) {
  return checkCompatibility({ candidate: v3, previous, level }).incompatibilities.map((i) => [
    i.direction,
    i.previousVersionIndex,
    i.kind,
    i.path,
  ]);
}

describe('compatibility levels', () => {
  it('lists exactly Confluent’s seven levels', () => {
    assert.deepEqual([...compatibilityLevels].sort(), [
      'BACKWARD',
      'BACKWARD_TRANSITIVE',
      'FORWARD',
      'FORWARD_TRANSITIVE',
      'FULL',
      'FULL_TRANSITIVE',
      'NONE',
    ]);
    assert.equal(isCompatibilityLevel('FULL'), true);
    assert.equal(isCompatibilityLevel('full'), false);
  });

  it('BACKWARD checks only the latest version, with the candidate as reader', () => {
    assert.deepEqual(check('BACKWARD'), [['backward', 1, 'TYPE_MISMATCH', '/fields/id/type']]);
  });

  it('BACKWARD_TRANSITIVE checks every version, newest first, and reports all', () => {
    assert.deepEqual(check('BACKWARD_TRANSITIVE'), [
      ['backward', 1, 'TYPE_MISMATCH', '/fields/id/type'],
      ['backward', 0, 'TYPE_MISMATCH', '/fields/id/type'],
      ['backward', 0, 'READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/amount'],
    ]);
  });

  it('FORWARD reads the candidate with the latest version', () => {
    assert.deepEqual(check('FORWARD'), [
      ['forward', 1, 'TYPE_MISMATCH', '/fields/id/type'],
      ['forward', 1, 'TYPE_MISMATCH', '/fields/amount/type'],
    ]);
  });

  it('FORWARD_TRANSITIVE reads the candidate with every version', () => {
    assert.deepEqual(check('FORWARD_TRANSITIVE'), [
      ['forward', 1, 'TYPE_MISMATCH', '/fields/id/type'],
      ['forward', 1, 'TYPE_MISMATCH', '/fields/amount/type'],
      ['forward', 0, 'TYPE_MISMATCH', '/fields/id/type'],
    ]);
  });

  it('FULL is backward plus forward against the latest; FULL_TRANSITIVE against all', () => {
    assert.equal(check('FULL').length, 3);
    assert.equal(check('FULL_TRANSITIVE').length, 6);
  });

  it('NONE and an empty history are always compatible', () => {
    assert.deepEqual(check('NONE'), []);
    assert.deepEqual(check('FULL_TRANSITIVE', []), []);
  });

  it('names the schemas in messages with the given labels', () => {
    const [first] = checkCompatibility({
      candidate: v3,
      previous: [v1, v2],
      level: 'FORWARD',
      labels: { candidate: 'payment.avsc', previous: ['v1.avsc', 'v2.avsc'] },
    }).incompatibilities;
    assert.equal(
      first!.message,
      "Field 'id' is string in v2.avsc but int in payment.avsc; data written as int cannot be read as string.",
    );
  });

  it('mutually recursive records terminate and report the nested path', () => {
    // Tree → children: [Node] → Node.tree: ["null", Tree]; the leaf value changes type.
    const tree = (valueType: string) =>
      parseAvroSchema({
        type: 'record',
        name: 'Tree',
        fields: [
          { name: 'value', type: valueType },
          {
            name: 'children',
            type: {
              type: 'array',
              items: {
                type: 'record',
                name: 'Node',
                fields: [{ name: 'tree', type: ['null', 'Tree'], default: null }],
              },
            },
          },
        ],
      });
    const result = checkCompatibility({
      candidate: tree('int'),
      previous: [tree('long')],
      level: 'FULL',
    });
    assert.deepEqual(
      result.incompatibilities.map((i) => [i.direction, i.kind, i.path]),
      [['backward', 'TYPE_MISMATCH', '/fields/value/type']],
    );
  });

  it('takes schema text and JSON values as well as parsed schemas', () => {
    const oldText = JSON.stringify(v1.json);
    const result = checkCompatibility({
      candidate: v3.json as object,
      previous: [oldText],
      level: 'BACKWARD',
    });
    assert.deepEqual(
      result.incompatibilities.map((i) => i.path),
      ['/fields/id/type', '/fields/amount'],
    );
    assert.equal(isCompatibleWith(oldText, v1), true);
  });

  it('isCompatibleWith answers for one reader/writer pair', () => {
    assert.equal(isCompatibleWith(v2, v1), true);
    assert.equal(isCompatibleWith(v3, v1), false);
  });
});

function parseError(text: string): { message: string; path: unknown } {
  try {
    parseAvroSchema(text);
  } catch (error) {
    assert.ok(isPipewatchError(error));
    assert.equal(error.code, 'SCHEMA_INVALID');
    assert.equal(error.kind, 'invalid_input');
    return { message: error.message, path: error.details.path };
  }
  assert.fail(`parsed: ${text}`);
}

describe('parseAvroSchema rejects what Avro rejects, saying what and where', () => {
  const cases: ReadonlyArray<readonly [string, string, RegExp, string]> = [
    ['invalid JSON', '{"type": "record",', /not valid JSON/, '/'],
    [
      'unknown type',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"Money"}]}',
      /unknown type 'Money'/,
      '/fields/0/type',
    ],
    ['record without fields', '{"type":"record","name":"R"}', /needs a "fields" array/, '/'],
    [
      'field without type',
      '{"type":"record","name":"R","fields":[{"name":"a"}]}',
      /needs a "type"/,
      '/fields/0',
    ],
    ['bad name', '{"type":"record","name":"9lives","fields":[]}', /not a valid Avro name/, '/name'],
    [
      'duplicate field',
      '{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"a","type":"int"}]}',
      /declared twice/,
      '/fields/1',
    ],
    [
      'enum default not a symbol',
      '{"type":"enum","name":"E","symbols":["A"],"default":"B"}',
      /not one of its symbols/,
      '/default',
    ],
    [
      'duplicate enum symbol',
      '{"type":"enum","name":"E","symbols":["A","A"]}',
      /appears twice/,
      '/symbols',
    ],
    [
      'negative fixed size',
      '{"type":"fixed","name":"F","size":-1}',
      /non-negative integer "size"/,
      '/',
    ],
    ['nested union', '["int",["null","string"]]', /may not directly contain a union/, '/1'],
    ['duplicate union branch', '["int","int"]', /contains 'int' twice/, '/1'],
    [
      'type defined twice',
      '["null",{"type":"fixed","name":"F","size":1},{"type":"fixed","name":"F","size":2}]',
      /defined twice/,
      '/2',
    ],
    ['array without items', '{"type":"array"}', /needs "items"/, '/'],
    ['a number', '42', /expected a type name/, '/'],
  ];
  for (const [title, text, pattern, path] of cases) {
    it(title, () => {
      const error = parseError(text);
      assert.match(error.message, pattern);
      assert.equal(error.path, path);
    });
  }

  it('accepts self-referencing records and resolves names through namespaces', () => {
    const parsed = parseAvroSchema({
      type: 'record',
      name: 'Node',
      namespace: 'graph',
      fields: [
        { name: 'next', type: ['null', 'Node'], default: null },
        { name: 'again', type: ['null', 'graph.Node'], default: null },
      ],
    });
    assert.equal(isCompatibleWith(parsed, parsed), true);
  });
});
