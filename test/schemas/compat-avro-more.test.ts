// Golden cases transcribed from Apache Avro's Java test suite (apache/avro, 1.12 line):
//   lang/java/avro/src/test/java/org/apache/avro/TestSchemaCompatibilityMultiple.java
//   lang/java/avro/src/test/java/org/apache/avro/TestSchemaCompatibilityEnumDefaults.java
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isCompatibleWith,
  parseAvroSchema,
  readerWriterIncompatibilities,
} from '../../schemas/index.js';
import * as S from './avro-test-schemas.js';

const parse = (json: unknown) => parseAvroSchema(JSON.stringify(json));
const enumOf = (name: string, symbols: string[]) => ({ type: 'enum', name, symbols });
const fixedOf = (name: string, size: number) => ({ type: 'fixed', name, size });

describe('Apache Avro TestSchemaCompatibilityMultiple: every incompatibility is reported', () => {
  // SchemaBuilder calls transcribed field by field; `longDefault(42L)` is "default": 42.
  const reader = S.record('base', [
    S.field('check_enum_symbols_field', enumOf('check_enum_symbols_type', ['A', 'C'])),
    S.field('check_enum_name_field', enumOf('check_enum_name_type', ['A', 'B', 'C', 'D'])),
    S.field('type_mismatch_field', S.STRING),
    S.field(
      'sub_record',
      S.record('sub_record_type', [
        S.field('identical_1_field', S.LONG, 42),
        S.field('extra_no_default_field', S.LONG),
        S.field('fixed_length_mismatch_field', fixedOf('fixed_length_mismatch_type', 4)),
        S.field('union_missing_branches_field', [S.BOOLEAN]),
        S.field('reader_union_does_not_support_type_field', [S.BOOLEAN]),
        S.field(
          'record_fqn_mismatch_field',
          S.record(
            'recordA',
            [
              S.field('A_field_0', S.BOOLEAN, true),
              S.field('array_type_mismatch_field', { type: 'array', items: S.STRING }),
            ],
            'not_nsA',
          ),
        ),
      ]),
    ),
  ]);
  const writer = S.record('base', [
    S.field('check_enum_symbols_field', enumOf('check_enum_symbols_type', ['A', 'B', 'C', 'D'])),
    S.field('check_enum_name_field', enumOf('check_enum_name_type_ERR', ['A', 'B', 'C', 'D'])),
    S.field('type_mismatch_field', S.LONG),
    S.field(
      'sub_record',
      S.record('sub_record_type', [
        S.field('identical_1_field', S.LONG, 42),
        S.field('fixed_length_mismatch_field', fixedOf('fixed_length_mismatch_type', 8)),
        S.field('union_missing_branches_field', [S.BOOLEAN, S.DOUBLE, S.STRING]),
        S.field('reader_union_does_not_support_type_field', S.LONG),
        S.field(
          'record_fqn_mismatch_field',
          S.record(
            'recordA',
            [
              S.field('A_field_0', S.BOOLEAN, true),
              S.field('array_type_mismatch_field', { type: 'array', items: S.BOOLEAN }),
            ],
            'nsA',
          ),
        ),
      ]),
    ),
  ]);

  it('finds the nine incompatibilities Avro lists, in Avro order, with Avro messages', () => {
    const expected = [
      ['MISSING_ENUM_SYMBOLS', '[B, D]', '/fields/0/type/symbols'],
      ['NAME_MISMATCH', 'expected: check_enum_name_type_ERR', '/fields/1/type/name'],
      [
        'TYPE_MISMATCH',
        'reader type: STRING not compatible with writer type: LONG',
        '/fields/2/type',
      ],
      ['READER_FIELD_MISSING_DEFAULT_VALUE', 'extra_no_default_field', '/fields/3/type/fields/1'],
      ['FIXED_SIZE_MISMATCH', 'expected: 8, found: 4', '/fields/3/type/fields/2/type/size'],
      [
        'MISSING_UNION_BRANCH',
        'reader union lacking writer type: DOUBLE',
        '/fields/3/type/fields/3/type/1',
      ],
      [
        'MISSING_UNION_BRANCH',
        'reader union lacking writer type: STRING',
        '/fields/3/type/fields/3/type/2',
      ],
      [
        'MISSING_UNION_BRANCH',
        'reader union lacking writer type: LONG',
        '/fields/3/type/fields/4/type',
      ],
      [
        'TYPE_MISMATCH',
        'reader type: STRING not compatible with writer type: BOOLEAN',
        '/fields/3/type/fields/5/type/fields/1/type/items',
      ],
    ] as const;
    const r = parse(reader);
    const found = readerWriterIncompatibilities(r, parse(writer));
    assert.deepEqual(
      found.map((f) => [f.kind, f.detail, f.path]),
      expected.map(([kind, detail, location]) => [
        kind,
        detail,
        S.avroLocationToNamedPath(r.root, location),
      ]),
    );
    // The names-based paths, spelled out once.
    assert.equal(found[3]!.path, '/fields/sub_record/type/fields/extra_no_default_field');
    assert.equal(
      found[8]!.path,
      '/fields/sub_record/type/fields/record_fqn_mismatch_field/type/fields/array_type_mismatch_field/type/items',
    );
    assert.equal(S.avscVerdict(reader, writer), false);
  });
});

describe('Apache Avro TestSchemaCompatibilityEnumDefaults, as compatibility verdicts', () => {
  const rec = (fieldName: string, type: unknown, defaultValue?: unknown) =>
    S.record('Record1', [S.field(fieldName, type, defaultValue)]);

  it('enumDefaultAppliedWhenNoFieldDefaultDefined: a reader enum default covers unknown symbols', () => {
    const writer = rec('field1', S.ENUM_ABC_ENUM_DEFAULT_A);
    const reader = rec('field1', S.ENUM_AB_ENUM_DEFAULT_A);
    assert.equal(isCompatibleWith(parse(reader), parse(writer)), true);
    assert.equal(S.avscVerdict(reader, writer), true);
  });

  it('enumDefaultAppliedWhenFieldDefaultDefined: also with a field default', () => {
    const writer = rec('field1', S.ENUM_ABC_ENUM_DEFAULT_A);
    const reader = rec('field1', S.ENUM_AB_ENUM_DEFAULT_A, 'B');
    assert.equal(isCompatibleWith(parse(reader), parse(writer)), true);
  });

  it('fieldDefaultNotAppliedForUnknownSymbol: a field default does not cover a missing symbol', () => {
    const writer = rec('field1', S.ENUM1_ABC);
    const reader = rec('field1', S.ENUM1_AB, 'A');
    const found = readerWriterIncompatibilities(parse(reader), parse(writer));
    assert.deepEqual(
      found.map((f) => [f.kind, f.detail, f.path]),
      [['MISSING_ENUM_SYMBOLS', '[C]', '/fields/field1/type/symbols']],
    );
    assert.equal(S.avscVerdict(reader, writer), false);
  });

  it('enumDefaultNotAppliedWhenWriterFieldMissing: an enum default does not stand in for a field', () => {
    // Avro reports this one as a TYPE_MISMATCH (it compares the enum with the writer record);
    // the verdict is the same, and "missing default" is what a person needs to hear.
    const writer = rec('field2', S.ENUM2_AB);
    const reader = rec('field1', S.ENUM_AB_ENUM_DEFAULT_A);
    const found = readerWriterIncompatibilities(parse(reader), parse(writer));
    assert.deepEqual(
      found.map((f) => [f.kind, f.path]),
      [['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/field1']],
    );
    assert.equal(S.avscVerdict(reader, writer), false);
  });
});
