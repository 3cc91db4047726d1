// Golden cases transcribed from Apache Avro's Java test suite (apache/avro, 1.12 line):
//   lang/java/avro/src/test/java/org/apache/avro/TestSchemaCompatibility.java
//   .../TestSchemaCompatibilityTypeMismatch.java, ...MissingUnionBranch.java, ...NameMismatch.java,
//   ...FixedSizeMismatch.java, ...MissingEnumSymbols.java, ...ReaderFieldMissingDefaultValue.java,
//   ...Multiple.java, ...EnumDefaults.java
// Each incompatible case carries Avro's expected kind, message and location (field positions);
// our path names fields, so the location is mapped onto the reader schema before comparing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isCompatibleWith,
  parseAvroSchema,
  readerWriterIncompatibilities,
  type IncompatibilityKind,
} from '../../schemas/index.js';
import * as S from './avro-test-schemas.js';

const parse = (json: unknown) => parseAvroSchema(JSON.stringify(json));
const show = (json: unknown) => JSON.stringify(json);

type Pair = readonly [reader: unknown, writer: unknown];

function assertIncompatible(
  reader: unknown,
  writer: unknown,
  kinds: readonly IncompatibilityKind[],
  details: readonly string[],
  locations: readonly string[],
): void {
  const r = parse(reader);
  const found = readerWriterIncompatibilities(r, parse(writer));
  assert.deepEqual(
    found.map((f) => [f.kind, f.detail, f.path]),
    kinds.map((kind, i) => [kind, details[i], S.avroLocationToNamedPath(r.root, locations[i]!)]),
  );
  assert.equal(isCompatibleWith(r, parse(writer)), false);
  assert.equal(S.avscVerdict(reader, writer) ?? false, false, 'avsc agrees: incompatible');
  for (const f of found) assert.ok(f.message.length > 20 && f.message.endsWith('.'), f.message);
}

// TestSchemaCompatibility.COMPATIBLE_READER_WRITER_TEST_CASES
const compatible: readonly Pair[] = [
  [S.BOOLEAN, S.BOOLEAN],
  [S.INT, S.INT],
  [S.LONG, S.INT],
  [S.LONG, S.LONG],
  [S.FLOAT, S.INT],
  [S.FLOAT, S.LONG],
  [S.DOUBLE, S.LONG],
  [S.DOUBLE, S.INT],
  [S.DOUBLE, S.FLOAT],
  [S.STRING, S.STRING],
  [S.BYTES, S.BYTES],
  [S.INT_ARRAY, S.INT_ARRAY],
  [S.LONG_ARRAY, S.INT_ARRAY],
  [S.INT_MAP, S.INT_MAP],
  [S.LONG_MAP, S.INT_MAP],
  [S.ENUM1_AB, S.ENUM1_AB],
  [S.ENUM1_ABC, S.ENUM1_AB],
  [S.STRING, S.BYTES],
  [S.BYTES, S.STRING],
  [S.EMPTY_UNION, S.EMPTY_UNION],
  [S.FLOAT_UNION, S.EMPTY_UNION],
  [S.FLOAT_UNION, S.INT_UNION],
  [S.FLOAT_UNION, S.LONG_UNION],
  [S.FLOAT_UNION, S.INT_LONG_UNION],
  [S.INT_UNION, S.INT_UNION],
  [S.INT_STRING_UNION, S.STRING_INT_UNION],
  [S.INT_UNION, S.EMPTY_UNION],
  [S.LONG_UNION, S.EMPTY_UNION],
  [S.LONG_UNION, S.INT_UNION],
  [S.FLOAT_UNION, S.INT_UNION],
  [S.DOUBLE_UNION, S.INT_UNION],
  [S.FLOAT_UNION, S.LONG_UNION],
  [S.DOUBLE_UNION, S.LONG_UNION],
  [S.FLOAT_UNION, S.EMPTY_UNION],
  [S.DOUBLE_UNION, S.FLOAT_UNION],
  [S.STRING_UNION, S.EMPTY_UNION],
  [S.STRING_UNION, S.BYTES_UNION],
  [S.BYTES_UNION, S.EMPTY_UNION],
  [S.BYTES_UNION, S.STRING_UNION],
  [S.DOUBLE_UNION, S.INT_FLOAT_UNION],
  [S.FLOAT, S.INT_FLOAT_UNION],
  [S.LONG, S.INT_LONG_UNION],
  [S.DOUBLE, S.INT_FLOAT_UNION],
  [S.DOUBLE, S.INT_LONG_FLOAT_DOUBLE_UNION],
  [S.FLOAT, S.FLOAT_UNION],
  [S.INT_UNION, S.INT],
  [S.INT, S.INT_UNION],
  [S.FIXED_4_BYTES, S.FIXED_4_BYTES],
  [S.EMPTY_RECORD1, S.EMPTY_RECORD1],
  [S.EMPTY_RECORD1, S.A_INT_RECORD1],
  [S.A_INT_RECORD1, S.A_INT_RECORD1],
  [S.A_DINT_RECORD1, S.A_INT_RECORD1],
  [S.A_DINT_RECORD1, S.A_DINT_RECORD1],
  [S.A_INT_RECORD1, S.A_DINT_RECORD1],
  [S.A_LONG_RECORD1, S.A_INT_RECORD1],
  [S.A_INT_RECORD1, S.A_INT_B_INT_RECORD1],
  [S.A_DINT_RECORD1, S.A_INT_B_INT_RECORD1],
  [S.A_INT_B_DINT_RECORD1, S.A_INT_RECORD1],
  [S.A_DINT_B_DINT_RECORD1, S.EMPTY_RECORD1],
  [S.A_DINT_B_DINT_RECORD1, S.A_INT_RECORD1],
  [S.A_INT_B_INT_RECORD1, S.A_DINT_B_DINT_RECORD1],
  [S.INT_LIST_RECORD, S.INT_LIST_RECORD],
  [S.LONG_LIST_RECORD, S.LONG_LIST_RECORD],
  [S.LONG_LIST_RECORD, S.INT_LIST_RECORD],
  [S.NULL, S.NULL],
  [S.ENUM_AB_ENUM_DEFAULT_A_RECORD, S.ENUM_ABC_ENUM_DEFAULT_A_RECORD],
  [
    S.ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD,
    S.ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD,
  ],
  // Two records holding an array of records that differ only in namespace.
  [S.NS_RECORD1, S.NS_RECORD2],
];

describe('Apache Avro TestSchemaCompatibility: compatible reader/writer pairs', () => {
  for (const [reader, writer] of compatible) {
    it(`reader ${show(reader)} reads writer ${show(writer)}`, () => {
      const found = readerWriterIncompatibilities(parse(reader), parse(writer));
      assert.deepEqual(found, []);
      assert.equal(isCompatibleWith(parse(reader), parse(writer)), true);
      assert.notEqual(S.avscVerdict(reader, writer), false, 'avsc agrees: compatible');
    });
  }
});

describe('Apache Avro TestSchemaCompatibility: single tests', () => {
  // Java's Schema.createRecord(fields) is anonymous; JSON needs a name, so these are called R.
  const writer = S.record('R', [S.field('oldfield1', S.INT), S.field('oldfield2', S.STRING)]);

  it('a reader may omit the first or the second writer field, or keep both', () => {
    for (const fields of [
      [S.field('oldfield1', S.INT)],
      [S.field('oldfield2', S.STRING)],
      [S.field('oldfield1', S.INT), S.field('oldfield2', S.STRING)],
    ]) {
      assert.equal(isCompatibleWith(parse(S.record('R', fields)), parse(writer)), true);
    }
  });

  it('a new reader field with a default is compatible', () => {
    const reader = S.record('R', [S.field('oldfield1', S.INT), S.field('newfield1', S.INT, 42)]);
    assert.equal(isCompatibleWith(parse(reader), parse(writer)), true);
  });

  it('a new reader field without a default is READER_FIELD_MISSING_DEFAULT_VALUE at /fields/1', () => {
    const reader = S.record('R', [S.field('oldfield1', S.INT), S.field('newfield1', S.INT)]);
    assertIncompatible(
      reader,
      writer,
      ['READER_FIELD_MISSING_DEFAULT_VALUE'],
      ['newfield1'],
      ['/fields/1'],
    );
  });

  it('array writer: array reader is compatible, map reader is a TYPE_MISMATCH at the root', () => {
    assert.equal(isCompatibleWith(parse(S.STRING_ARRAY), parse(S.STRING_ARRAY)), true);
    const message = 'reader type: MAP not compatible with writer type: ARRAY';
    assertIncompatible(S.STRING_MAP, S.STRING_ARRAY, ['TYPE_MISMATCH'], [message], ['/']);
  });

  it('primitive writer: string reads string, int does not', () => {
    assert.equal(isCompatibleWith(parse(S.STRING), parse(S.STRING)), true);
    const message = 'reader type: INT not compatible with writer type: STRING';
    assertIncompatible(S.INT, S.STRING, ['TYPE_MISMATCH'], [message], ['/']);
  });

  it('a reader union must contain all writer union branches', () => {
    // Avro's message and location: the writer branch the reader lacks, by its index.
    const message = 'reader union lacking writer type: LONG';
    assertIncompatible(
      [S.INT, S.STRING],
      [S.INT, S.STRING, S.LONG],
      ['MISSING_UNION_BRANCH'],
      [message],
      ['/2'],
    );
  });
});

const typeMismatch = (reader: unknown, writer: unknown, r: string, w: string, location: string) =>
  [reader, writer, `reader type: ${r} not compatible with writer type: ${w}`, location] as const;

describe('Apache Avro TestSchemaCompatibilityTypeMismatch', () => {
  const cases = [
    typeMismatch(S.NULL, S.INT, 'NULL', 'INT', '/'),
    typeMismatch(S.NULL, S.LONG, 'NULL', 'LONG', '/'),
    typeMismatch(S.BOOLEAN, S.INT, 'BOOLEAN', 'INT', '/'),
    typeMismatch(S.INT, S.NULL, 'INT', 'NULL', '/'),
    typeMismatch(S.INT, S.BOOLEAN, 'INT', 'BOOLEAN', '/'),
    typeMismatch(S.INT, S.LONG, 'INT', 'LONG', '/'),
    typeMismatch(S.INT, S.FLOAT, 'INT', 'FLOAT', '/'),
    typeMismatch(S.INT, S.DOUBLE, 'INT', 'DOUBLE', '/'),
    typeMismatch(S.LONG, S.FLOAT, 'LONG', 'FLOAT', '/'),
    typeMismatch(S.LONG, S.DOUBLE, 'LONG', 'DOUBLE', '/'),
    typeMismatch(S.FLOAT, S.DOUBLE, 'FLOAT', 'DOUBLE', '/'),
    typeMismatch(S.DOUBLE, S.STRING, 'DOUBLE', 'STRING', '/'),
    typeMismatch(S.FIXED_4_BYTES, S.STRING, 'FIXED', 'STRING', '/'),
    typeMismatch(S.STRING, S.BOOLEAN, 'STRING', 'BOOLEAN', '/'),
    typeMismatch(S.STRING, S.INT, 'STRING', 'INT', '/'),
    typeMismatch(S.BYTES, S.NULL, 'BYTES', 'NULL', '/'),
    typeMismatch(S.BYTES, S.INT, 'BYTES', 'INT', '/'),
    typeMismatch(S.A_INT_RECORD1, S.INT, 'RECORD', 'INT', '/'),
    typeMismatch(S.INT_ARRAY, S.LONG_ARRAY, 'INT', 'LONG', '/items'),
    typeMismatch(S.INT_MAP, S.INT_ARRAY, 'MAP', 'ARRAY', '/'),
    typeMismatch(S.INT_ARRAY, S.INT_MAP, 'ARRAY', 'MAP', '/'),
    typeMismatch(S.INT_MAP, S.LONG_MAP, 'INT', 'LONG', '/values'),
    typeMismatch(S.INT, S.ENUM2_AB, 'INT', 'ENUM', '/'),
    typeMismatch(S.ENUM2_AB, S.INT, 'ENUM', 'INT', '/'),
    typeMismatch(S.FLOAT, S.INT_LONG_FLOAT_DOUBLE_UNION, 'FLOAT', 'DOUBLE', '/3'),
    typeMismatch(S.LONG, S.INT_FLOAT_UNION, 'LONG', 'FLOAT', '/1'),
    typeMismatch(S.INT, S.INT_FLOAT_UNION, 'INT', 'FLOAT', '/1'),
    typeMismatch(S.INT_LIST_RECORD, S.LONG_LIST_RECORD, 'INT', 'LONG', '/fields/0/type'),
  ];
  for (const [reader, writer, message, location] of cases) {
    it(`${message} at ${location} (reader ${show(reader)}, writer ${show(writer)})`, () => {
      assertIncompatible(reader, writer, ['TYPE_MISMATCH'], [message], [location]);
    });
  }
});

describe('Apache Avro TestSchemaCompatibilityMissingUnionBranch', () => {
  const rec1 = S.record('Record1', [S.field('field1', S.INT)]);
  const rec2 = S.record('Record2', [S.field('field1', S.INT)]);
  const lacking = (type: string) => `reader union lacking writer type: ${type}`;
  const cases: ReadonlyArray<readonly [unknown, unknown, string[], string[]]> = [
    [S.INT_UNION, S.INT_STRING_UNION, [lacking('STRING')], ['/1']],
    [S.STRING_UNION, S.INT_STRING_UNION, [lacking('INT')], ['/0']],
    [S.INT_UNION, [S.INT, rec1], [lacking('RECORD')], ['/1']],
    [S.INT_UNION, [S.INT, rec2], [lacking('RECORD')], ['/1']],
    [[S.INT, rec1], [S.INT, rec2], [lacking('RECORD')], ['/1']],
    [S.INT_UNION, [S.INT, S.ENUM1_AB], [lacking('ENUM')], ['/1']],
    [S.INT_UNION, [S.INT, S.FIXED_4_BYTES], [lacking('FIXED')], ['/1']],
    [S.INT_UNION, [S.INT, S.BOOLEAN], [lacking('BOOLEAN')], ['/1']],
    [S.INT_UNION, S.LONG_UNION, [lacking('LONG')], ['/0']],
    [S.INT_UNION, S.FLOAT_UNION, [lacking('FLOAT')], ['/0']],
    [S.INT_UNION, S.DOUBLE_UNION, [lacking('DOUBLE')], ['/0']],
    [S.INT_UNION, S.BYTES_UNION, [lacking('BYTES')], ['/0']],
    [S.INT_UNION, [S.INT, S.INT_ARRAY], [lacking('ARRAY')], ['/1']],
    [S.INT_UNION, [S.INT, S.INT_MAP], [lacking('MAP')], ['/1']],
    [S.INT_UNION, [S.INT, S.NULL], [lacking('NULL')], ['/1']],
    [
      S.INT_UNION,
      S.INT_LONG_FLOAT_DOUBLE_UNION,
      [lacking('LONG'), lacking('FLOAT'), lacking('DOUBLE')],
      ['/1', '/2', '/3'],
    ],
    [
      S.A_DINT_B_DINT_UNION_RECORD1,
      S.A_DINT_B_DINT_STRING_UNION_RECORD1,
      [lacking('STRING')],
      ['/fields/1/type/1'],
    ],
  ];
  for (const [reader, writer, messages, locations] of cases) {
    it(`${messages.join(', ')} (reader ${show(reader)}, writer ${show(writer)})`, () => {
      const kinds = messages.map(() => 'MISSING_UNION_BRANCH' as const);
      assertIncompatible(reader, writer, kinds, messages, locations);
    });
  }
});

describe('Apache Avro TestSchemaCompatibilityNameMismatch', () => {
  const FIXED_4_ANOTHER_NAME = { type: 'fixed', name: 'AnotherName', size: 4 };
  const cases = [
    [S.ENUM1_AB, S.ENUM2_AB, 'expected: Enum2', '/name'],
    [S.EMPTY_RECORD2, S.EMPTY_RECORD1, 'expected: Record1', '/name'],
    [S.FIXED_4_BYTES, FIXED_4_ANOTHER_NAME, 'expected: AnotherName', '/name'],
    [
      S.A_DINT_B_DENUM_1_RECORD1,
      S.A_DINT_B_DENUM_2_RECORD1,
      'expected: Enum2',
      '/fields/1/type/name',
    ],
  ] as const;
  for (const [reader, writer, message, location] of cases) {
    it(`${message} at ${location}`, () => {
      assertIncompatible(reader, writer, ['NAME_MISMATCH'], [message], [location]);
    });
  }
});

describe('Apache Avro TestSchemaCompatibilityFixedSizeMismatch', () => {
  const cases = [
    [S.FIXED_4_BYTES, S.FIXED_8_BYTES, 'expected: 8, found: 4', '/size'],
    [S.FIXED_8_BYTES, S.FIXED_4_BYTES, 'expected: 4, found: 8', '/size'],
    [
      S.A_DINT_B_DFIXED_8_BYTES_RECORD1,
      S.A_DINT_B_DFIXED_4_BYTES_RECORD1,
      'expected: 4, found: 8',
      '/fields/1/type/size',
    ],
    [
      S.A_DINT_B_DFIXED_4_BYTES_RECORD1,
      S.A_DINT_B_DFIXED_8_BYTES_RECORD1,
      'expected: 8, found: 4',
      '/fields/1/type/size',
    ],
  ] as const;
  for (const [reader, writer, message, location] of cases) {
    it(`${message} at ${location}`, () => {
      assertIncompatible(reader, writer, ['FIXED_SIZE_MISMATCH'], [message], [location]);
    });
  }
});

describe('Apache Avro TestSchemaCompatibilityMissingEnumSymbols', () => {
  const withAb = S.record('Record1', [S.field('field1', S.ENUM1_AB)]);
  const withAbc = S.record('Record1', [S.field('field1', S.ENUM1_ABC)]);
  const cases = [
    [S.ENUM1_AB, S.ENUM1_ABC, '[C]', '/symbols'],
    [S.ENUM1_BC, S.ENUM1_ABC, '[A]', '/symbols'],
    [withAb, withAbc, '[C]', '/fields/0/type/symbols'],
  ] as const;
  for (const [reader, writer, message, location] of cases) {
    it(`${message} at ${location}`, () => {
      assertIncompatible(reader, writer, ['MISSING_ENUM_SYMBOLS'], [message], [location]);
    });
  }
});

describe('Apache Avro TestSchemaCompatibilityReaderFieldMissingDefaultValue', () => {
  for (const reader of [S.A_INT_RECORD1, S.A_INT_B_DINT_RECORD1]) {
    it(`reader ${show(reader)} cannot read an empty record`, () => {
      assertIncompatible(
        reader,
        S.EMPTY_RECORD1,
        ['READER_FIELD_MISSING_DEFAULT_VALUE'],
        ['a'],
        ['/fields/0'],
      );
    });
  }
});
