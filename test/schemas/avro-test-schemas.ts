// JSON transcription of Apache Avro's
// lang/java/avro/src/test/java/org/apache/avro/TestSchemas.java (apache/avro, 1.12 line), the
// schemas its SchemaCompatibility tests share. A field built with a null default in Java has no
// "default" here; `new Field(name, schema, null, 0)` becomes `"default": 0`.
import avsc from 'avsc';
import type { AvroNode } from '../../schemas/index.js';

type Json = unknown;

export const field = (name: string, type: Json, defaultValue?: Json): Json =>
  defaultValue === undefined ? { name, type } : { name, type, default: defaultValue };
export const record = (name: string, fields: Json[], namespace?: string): Json =>
  namespace === undefined
    ? { type: 'record', name, fields }
    : { type: 'record', name, namespace, fields };
export const enumType = (
  name: string,
  symbols: string[],
  defaultSymbol?: string,
  namespace?: string,
): Json => ({
  type: 'enum',
  name,
  ...(namespace === undefined ? {} : { namespace }),
  symbols,
  ...(defaultSymbol === undefined ? {} : { default: defaultSymbol }),
});

export const NULL = 'null';
export const BOOLEAN = 'boolean';
export const INT = 'int';
export const LONG = 'long';
export const FLOAT = 'float';
export const DOUBLE = 'double';
export const STRING = 'string';
export const BYTES = 'bytes';

export const INT_ARRAY = { type: 'array', items: INT };
export const LONG_ARRAY = { type: 'array', items: LONG };
export const STRING_ARRAY = { type: 'array', items: STRING };
export const INT_MAP = { type: 'map', values: INT };
export const LONG_MAP = { type: 'map', values: LONG };
export const STRING_MAP = { type: 'map', values: STRING };

export const ENUM1_AB = enumType('Enum1', ['A', 'B']);
export const ENUM1_AB_DEFAULT = enumType('Enum1', ['A', 'B'], 'A');
export const ENUM1_AB_NAMESPACE_1 = enumType('Enum1', ['A', 'B'], undefined, 'namespace1');
export const ENUM1_AB_NAMESPACE_2 = enumType('Enum1', ['A', 'B'], undefined, 'namespace2');
export const ENUM1_ABC = enumType('Enum1', ['A', 'B', 'C']);
export const ENUM1_BC = enumType('Enum1', ['B', 'C']);
export const ENUM2_AB = enumType('Enum2', ['A', 'B']);
export const ENUM_ABC_ENUM_DEFAULT_A = enumType('Enum', ['A', 'B', 'C'], 'A');
export const ENUM_AB_ENUM_DEFAULT_A = enumType('Enum', ['A', 'B'], 'A');
export const ENUM_ABC_ENUM_DEFAULT_A_RECORD = record('Record', [
  field('Field', enumType('Schema', ['A', 'B', 'C'], 'A')),
]);
export const ENUM_AB_ENUM_DEFAULT_A_RECORD = record('Record', [
  field('Field', enumType('Schema', ['A', 'B'], 'A')),
]);
export const ENUM_ABC_FIELD_DEFAULT_B_ENUM_DEFAULT_A_RECORD = record('Record', [
  field('Field', enumType('Schema', ['A', 'B', 'C'], 'A'), 'B'),
]);
export const ENUM_AB_FIELD_DEFAULT_A_ENUM_DEFAULT_B_RECORD = record('Record', [
  field('Field', enumType('Schema', ['A', 'B'], 'B'), 'A'),
]);

export const EMPTY_UNION: Json[] = [];
export const NULL_UNION = [NULL];
export const INT_UNION = [INT];
export const LONG_UNION = [LONG];
export const FLOAT_UNION = [FLOAT];
export const DOUBLE_UNION = [DOUBLE];
export const STRING_UNION = [STRING];
export const BYTES_UNION = [BYTES];
export const INT_STRING_UNION = [INT, STRING];
export const STRING_INT_UNION = [STRING, INT];
export const INT_FLOAT_UNION = [INT, FLOAT];
export const INT_LONG_UNION = [INT, LONG];
export const INT_LONG_FLOAT_DOUBLE_UNION = [INT, LONG, FLOAT, DOUBLE];
export const NULL_INT_ARRAY_UNION = [NULL, INT_ARRAY];
export const NULL_INT_MAP_UNION = [NULL, INT_MAP];

export const FIXED_4_BYTES = { type: 'fixed', name: 'Fixed', size: 4 };
export const FIXED_8_BYTES = { type: 'fixed', name: 'Fixed', size: 8 };

export const EMPTY_RECORD1 = record('Record1', []);
export const EMPTY_RECORD2 = record('Record2', []);
export const A_INT_RECORD1 = record('Record1', [field('a', INT)]);
export const A_LONG_RECORD1 = record('Record1', [field('a', LONG)]);
export const A_INT_B_INT_RECORD1 = record('Record1', [field('a', INT), field('b', INT)]);
export const A_DINT_RECORD1 = record('Record1', [field('a', INT, 0)]);
export const A_INT_B_DINT_RECORD1 = record('Record1', [field('a', INT), field('b', INT, 0)]);
export const A_DINT_B_DINT_RECORD1 = record('Record1', [field('a', INT, 0), field('b', INT, 0)]);
export const A_DINT_B_DFIXED_4_BYTES_RECORD1 = record('Record1', [
  field('a', INT, 0),
  field('b', FIXED_4_BYTES),
]);
export const A_DINT_B_DFIXED_8_BYTES_RECORD1 = record('Record1', [
  field('a', INT, 0),
  field('b', FIXED_8_BYTES),
]);
export const A_DINT_B_DINT_STRING_UNION_RECORD1 = record('Record1', [
  field('a', INT, 0),
  field('b', INT_STRING_UNION, 0),
]);
export const A_DINT_B_DINT_UNION_RECORD1 = record('Record1', [
  field('a', INT, 0),
  field('b', INT_UNION, 0),
]);
export const A_DINT_B_DENUM_1_RECORD1 = record('Record1', [
  field('a', INT, 0),
  field('b', ENUM1_AB),
]);
export const A_DINT_B_DENUM_2_RECORD1 = record('Record1', [
  field('a', INT, 0),
  field('b', ENUM2_AB),
]);

export const NS_INNER_RECORD1 = record('InnerRecord1', [field('a', INT)], 'ns1');
export const NS_INNER_RECORD2 = record('InnerRecord1', [field('a', INT)], 'ns2');
export const NS_RECORD1 = record('Record1', [
  field('f1', [NULL, { type: 'array', items: NS_INNER_RECORD1 }]),
]);
export const NS_RECORD2 = record('Record1', [
  field('f1', [NULL, { type: 'array', items: NS_INNER_RECORD2 }]),
]);
export const WITHOUT_NS = record('Record', [field('f1', INT)]);
export const WITH_NS = record('ns.Record', [field('f1', INT)]);

// Recursive records.
export const INT_LIST_RECORD = record('List', [field('head', INT), field('tail', 'List')]);
export const LONG_LIST_RECORD = record('List', [field('head', LONG), field('tail', 'List')]);

/**
 * Maps an Apache Avro location (`/fields/1/type/name`, field positions) onto our path (field
 * names) by walking the reader schema: the two must name the same place.
 */
export function avroLocationToNamedPath(reader: AvroNode, location: string): string {
  if (location === '/') return '/';
  const tokens = location.split('/').slice(1);
  const out: string[] = [];
  let node: AvroNode = reader;
  let pendingType: AvroNode | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === 'fields' && node.type === 'record') {
      const f = node.fields[Number(tokens[i + 1])]!;
      out.push('fields', f.name);
      pendingType = f.type;
      i++;
    } else if (token === 'type' && pendingType) {
      out.push('type');
      node = pendingType;
      pendingType = undefined;
    } else if (token === 'items' && node.type === 'array') {
      out.push(token);
      node = node.items;
    } else if (token === 'values' && node.type === 'map') {
      out.push(token);
      node = node.values;
    } else {
      out.push(token); // union branch index, name, size, symbols: same in both styles
    }
  }
  return `/${out.join('/')}`;
}

/**
 * avsc's verdict, the independent reference: `reader.createResolver(writer, {ignoreNamespaces})`
 * with a new options object on every call (avsc caches resolvers into the object it is given).
 * `undefined` when avsc cannot load one of the schemas (it rejects empty unions, for one).
 */
export function avscVerdict(reader: Json, writer: Json): boolean | undefined {
  let readerType: avsc.Type;
  let writerType: avsc.Type;
  try {
    readerType = avsc.Type.forSchema(reader as avsc.Schema);
    writerType = avsc.Type.forSchema(writer as avsc.Schema);
  } catch {
    return undefined;
  }
  try {
    readerType.createResolver(writerType, { ignoreNamespaces: true });
    return true;
  } catch {
    return false;
  }
}
