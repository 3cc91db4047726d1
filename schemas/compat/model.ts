/**
 * The parsed form of an Avro schema that the compatibility engine walks. Named types are shared
 * objects: a record that refers to itself holds a reference to its own node, so walks must guard
 * against cycles (resolve.ts memoises reader/writer pairs the way Apache Avro does).
 * Logical types and other attributes (doc, order, custom properties) play no part in schema
 * resolution, so they are not kept.
 */
export type PrimitiveTypeName =
  'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export const primitiveTypeNames: ReadonlySet<string> = new Set<PrimitiveTypeName>([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);

export interface PrimitiveNode {
  readonly type: PrimitiveTypeName;
}

export interface ArrayNode {
  readonly type: 'array';
  readonly items: AvroNode;
}

export interface MapNode {
  readonly type: 'map';
  readonly values: AvroNode;
}

export interface UnionNode {
  readonly type: 'union';
  readonly branches: readonly AvroNode[];
}

interface NamedBase {
  /** Unqualified name, e.g. `Order`. */
  readonly name: string;
  /** Namespace-qualified name, e.g. `shop.Order` (equals `name` in the null namespace). */
  readonly fullName: string;
  /** Full names of the aliases, resolved against this type's namespace. */
  readonly aliases: readonly string[];
}

export interface RecordField {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: AvroNode;
  /** True when the field declares `default`, including `"default": null`. */
  readonly hasDefault: boolean;
}

export interface RecordNode extends NamedBase {
  readonly type: 'record';
  /** Filled in after the node is registered, so fields may refer to the record itself. */
  readonly fields: RecordField[];
}

export interface EnumNode extends NamedBase {
  readonly type: 'enum';
  readonly symbols: readonly string[];
  /** The enum's own `default` symbol (Avro 1.9+), used when a writer symbol is unknown. */
  readonly defaultSymbol: string | undefined;
}

export interface FixedNode extends NamedBase {
  readonly type: 'fixed';
  readonly sizeBytes: number;
}

export type NamedNode = RecordNode | EnumNode | FixedNode;
export type AvroNode = PrimitiveNode | ArrayNode | MapNode | UnionNode | NamedNode;

/** Marks values made by parseAvroSchema, so raw JSON objects can be told apart from them. */
export const parsedSchemaBrand: unique symbol = Symbol('pipewatch.parsedAvroSchema');

/** A validated Avro schema: the walkable tree plus the JSON it came from. */
export interface ParsedAvroSchema {
  readonly [parsedSchemaBrand]: true;
  readonly root: AvroNode;
  readonly json: unknown;
}

/** A parsed schema, or Avro schema JSON as text or as a value (parsed on use). */
export type AvroSchemaInput = ParsedAvroSchema | string | object;

/** Avro's upper-case type word (`INT`, `RECORD`), as Apache Avro prints it in its messages. */
export function typeWord(node: AvroNode): string {
  return node.type.toUpperCase();
}

/** How a person would name the type: `long`, `record shop.Order`, `array`, `union`. */
export function describeType(node: AvroNode): string {
  switch (node.type) {
    case 'record':
    case 'enum':
    case 'fixed':
      return `${node.type} ${node.fullName}`;
    default:
      return node.type;
  }
}
