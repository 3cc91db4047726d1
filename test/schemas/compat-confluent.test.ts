// Golden cases transcribed from Confluent Schema Registry's
//   core/src/test/java/io/confluent/kafka/schemaregistry/avro/AvroCompatibilityTest.java
// `checker.isCompatible(newSchema, previousSchemas)` takes the previous schemas oldest first,
// exactly like checkCompatibility's `previous`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkCompatibility,
  parseAvroSchema,
  type CompatibilityLevel,
} from '../../schemas/index.js';
import { avscVerdict } from './avro-test-schemas.js';

const schemaString1 =
  '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}]}';
const schemaString2 =
  '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}, {"type":"string","name":"f2", "default": "foo"}]}';
const schemaString3 =
  '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}, {"type":"string","name":"f2"}]}';
const schemaString4 =
  '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1_new", "aliases": ["f1"]}]}';
const schemaString6 =
  '{"type":"record","name":"myrecord","fields":[{"type":["null", "string"],"name":"f1", "doc":"doc of f1"}]}';
const schemaString7 =
  '{"type":"record","name":"myrecord","fields":[{"type":["null", "string", "int"],"name":"f1", "doc":"doc of f1"}]}';
const schemaString8 =
  '{"type":"record","name":"myrecord","fields":[{"type":"string","name":"f1"}, {"type":"string","name":"f2", "default": "foo"}, {"type":"string","name":"f3", "default": "bar"}]}';
const badDefaultNullString =
  '{"type":"record","name":"myrecord","fields":[{"type":["null", "string"],"name":"f1", "default": "null"}, {"type":"string","name":"f2", "default": "foo"}, {"type":"string","name":"f3", "default": "bar"}]}';

const texts = {
  1: schemaString1,
  2: schemaString2,
  3: schemaString3,
  4: schemaString4,
  6: schemaString6,
  7: schemaString7,
  8: schemaString8,
};
type Id = keyof typeof texts;

function compatible(level: CompatibilityLevel, candidate: Id, previous: Id[]): boolean {
  return checkCompatibility({
    candidate: parseAvroSchema(texts[candidate]),
    previous: previous.map((p) => parseAvroSchema(texts[p])),
    level,
  }).compatible;
}

/** avsc's verdict for the same level, pair by pair (the independent reference). */
function avscCompatible(level: CompatibilityLevel, candidate: Id, previous: Id[]): boolean {
  const checked = level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
  const json = (id: Id): unknown => JSON.parse(texts[id]);
  return checked.every((old) => {
    const backward =
      level.startsWith('FORWARD') || avscVerdict(json(candidate), json(old)) === true;
    const forward =
      level.startsWith('BACKWARD') || avscVerdict(json(old), json(candidate)) === true;
    return backward && forward;
  });
}

type Case = readonly [message: string, expected: boolean, candidate: Id, previous: Id[]];

const cases: Readonly<Record<Exclude<CompatibilityLevel, 'NONE'>, readonly Case[]>> = {
  // testBasicBackwardsCompatibility
  BACKWARD: [
    ['adding a field with default is a backward compatible change', true, 2, [1]],
    ['adding a field w/o default is not a backward compatible change', false, 3, [1]],
    ['changing field name with alias is a backward compatible change', true, 4, [1]],
    ['evolving a field type to a union is a backward compatible change', true, 6, [1]],
    ['removing a type from a union is not a backward compatible change', false, 1, [6]],
    ['adding a new type in union is a backward compatible change', true, 7, [6]],
    ['removing a type from a union is not a backward compatible change', false, 6, [7]],
    ['only the latest schema (2) is checked', true, 3, [1, 2]],
  ],
  // testBasicBackwardsTransitiveCompatibility
  BACKWARD_TRANSITIVE: [
    ['iteratively adding fields with defaults is a compatible change', true, 8, [1, 2]],
    ['adding a field with default is a backward compatible change', true, 2, [1]],
    ['removing a default is a compatible change, but not transitively', true, 3, [2]],
    ['removing a default is not a transitively compatible change', false, 3, [2, 1]],
  ],
  // testBasicForwardsCompatibility
  FORWARD: [
    ['adding a field is a forward compatible change', true, 2, [1]],
    ['adding a field is a forward compatible change', true, 3, [1]],
    ['adding a field is a forward compatible change', true, 3, [2]],
    ['adding a field is a forward compatible change', true, 2, [3]],
    ['only the latest schema (2) is checked', true, 1, [3, 2]],
  ],
  // testBasicForwardsTransitiveCompatibility
  FORWARD_TRANSITIVE: [
    ['iteratively removing fields with defaults is a compatible change', true, 1, [8, 2]],
    ['adding default to a field is a compatible change', true, 2, [3]],
    ['removing a field with a default is a compatible change', true, 1, [2]],
    ['removing a default is not a transitively compatible change', false, 1, [2, 3]],
  ],
  // testBasicFullCompatibility
  FULL: [
    ['adding a field with default is a backward and a forward compatible change', true, 2, [1]],
    ['transitively adding a field without a default: only schema 2 is checked', true, 3, [1, 2]],
    ['transitively removing a field without a default: only schema 2 is checked', true, 1, [3, 2]],
  ],
  // testBasicFullTransitiveCompatibility
  FULL_TRANSITIVE: [
    ['iteratively adding fields with defaults is a compatible change', true, 8, [1, 2]],
    ['iteratively removing fields with defaults is a compatible change', true, 1, [8, 2]],
    ['adding default to a field is a compatible change', true, 2, [3]],
    ['removing a field with a default is a compatible change', true, 1, [2]],
    ['adding a field with default is a compatible change', true, 2, [1]],
    ['removing a default from a field compatible change', true, 3, [2]],
    ['transitively adding a field without a default is not a compatible change', false, 3, [2, 1]],
    [
      'transitively removing a field without a default is not a compatible change',
      false,
      1,
      [2, 3],
    ],
  ],
};

describe('Confluent AvroCompatibilityTest', () => {
  it('testBadDefaultNull: a union default that does not match the first branch still parses', () => {
    assert.ok(parseAvroSchema(badDefaultNullString));
  });

  for (const [level, levelCases] of Object.entries(cases) as [
    CompatibilityLevel,
    readonly Case[],
  ][]) {
    for (const [message, expected, candidate, previous] of levelCases) {
      it(`${level}: ${message} (schema${candidate} after ${previous.map((p) => `schema${p}`).join(', ')})`, () => {
        assert.equal(compatible(level, candidate, previous), expected);
        assert.equal(avscCompatible(level, candidate, previous), expected, 'avsc agrees');
      });
    }
  }

  it('NONE accepts anything, even schema3 after schema1', () => {
    assert.equal(compatible('NONE', 3, [1]), true);
  });

  it('reports where and why: schema3 after schema1 under BACKWARD', () => {
    const result = checkCompatibility({
      candidate: parseAvroSchema(schemaString3),
      previous: [parseAvroSchema(schemaString1)],
      level: 'BACKWARD',
    });
    assert.deepEqual(
      result.incompatibilities.map((i) => [i.kind, i.path, i.direction, i.previousVersionIndex]),
      [['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/f2', 'backward', 0]],
    );
    assert.equal(
      result.incompatibilities[0]!.message,
      "Field 'f2' in the new schema has no default value and is missing in version 1, " +
        'so the new schema cannot fill it in when reading data written with version 1.',
    );
  });
});
