/**
 * Parses and validates an Avro schema (JSON text or an already-parsed value) into the tree the
 * engine walks. Like Confluent Schema Registry, field default values are not validated against
 * their types (Confluent's own test suite registers `"default": "null"` on a `["null","string"]`
 * field); everything else that Apache Avro's parser rejects is rejected here with the JSON path.
 */
import { invalid, checkName, NameTable, qualify } from './names.js';
import {
  parsedSchemaBrand,
  primitiveTypeNames,
  type AvroSchemaInput,
  type AvroNode,
  type EnumNode,
  type FixedNode,
  type ParsedAvroSchema,
  type PrimitiveNode,
  type PrimitiveTypeName,
  type RecordField,
  type RecordNode,
} from './model.js';

type Json = unknown;
type JsonObject = Record<string, Json>;

export function parseAvroSchema(schema: string | object): ParsedAvroSchema {
  let json: Json = schema;
  if (typeof schema === 'string') {
    try {
      json = JSON.parse(schema);
    } catch (error) {
      throw invalid(`the schema is not valid JSON: ${(error as Error).message}`, '/');
    }
  }
  const root = new Parser().node(json, '', '');
  return { [parsedSchemaBrand]: true, root, json };
}

/** Parses raw schema JSON; a schema parseAvroSchema already returned is passed through. */
export function toParsedSchema(schema: AvroSchemaInput): ParsedAvroSchema {
  if (typeof schema === 'object' && parsedSchemaBrand in schema) return schema;
  return parseAvroSchema(schema);
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Parser {
  private readonly names = new NameTable();

  node(json: Json, namespace: string, path: string): AvroNode {
    if (typeof json === 'string') return this.reference(json, namespace, path);
    if (Array.isArray(json)) return this.union(json, namespace, path);
    if (!isObject(json)) {
      throw invalid(
        `expected a type name, a type object or a union array, found ${show(json)}`,
        path,
      );
    }
    const type = json.type;
    if (typeof type !== 'string') {
      throw invalid(`a type object needs a string "type", found ${show(type)}`, path);
    }
    switch (type) {
      case 'record':
      case 'error':
        return this.record(json, namespace, path);
      case 'enum':
        return this.enumType(json, namespace, path);
      case 'fixed':
        return this.fixed(json, namespace, path);
      case 'array':
        if (!('items' in json)) throw invalid('an array type needs "items"', path);
        return { type: 'array', items: this.node(json.items, namespace, `${path}/items`) };
      case 'map':
        if (!('values' in json)) throw invalid('a map type needs "values"', path);
        return { type: 'map', values: this.node(json.values, namespace, `${path}/values`) };
      default:
        return this.reference(type, namespace, `${path}/type`);
    }
  }

  private reference(name: string, namespace: string, path: string): AvroNode {
    if (primitiveTypeNames.has(name)) return primitiveNode(name as PrimitiveTypeName);
    const found = this.names.lookup(name, namespace);
    if (!found) {
      throw invalid(`unknown type '${name}': not a primitive type nor a type defined before`, path);
    }
    return found;
  }

  private union(branches: Json[], namespace: string, path: string): AvroNode {
    const nodes = branches.map((b, i) => this.node(b, namespace, `${path}/${i}`));
    const seen = new Set<string>();
    nodes.forEach((node, i) => {
      if (node.type === 'union')
        throw invalid('a union may not directly contain a union', `${path}/${i}`);
      const key = 'fullName' in node ? node.fullName : node.type;
      if (seen.has(key)) throw invalid(`the union contains '${key}' twice`, `${path}/${i}`);
      seen.add(key);
    });
    return { type: 'union', branches: nodes };
  }

  private named(json: JsonObject, namespace: string, path: string) {
    if (typeof json.name !== 'string')
      throw invalid(`a ${show(json.type)} type needs a string "name"`, path);
    checkName(json.name, 'the name', `${path}/name`);
    const ns = json.namespace;
    if (ns !== undefined && ns !== null && typeof ns !== 'string') {
      throw invalid('"namespace" must be a string', `${path}/namespace`);
    }
    if (typeof ns === 'string' && ns !== '') checkName(ns, 'the namespace', `${path}/namespace`);
    const qualified = qualify(json.name, typeof ns === 'string' ? ns : undefined, namespace);
    const aliases = stringList(json.aliases, 'aliases', `${path}/aliases`).map((alias) => {
      checkName(alias, 'the alias', `${path}/aliases`);
      return qualify(alias, undefined, qualified.namespace).fullName;
    });
    return {
      name: qualified.name,
      fullName: qualified.fullName,
      namespace: qualified.namespace,
      aliases,
    };
  }

  private record(json: JsonObject, enclosing: string, path: string): RecordNode {
    const { namespace, ...names } = this.named(json, enclosing, path);
    if (!Array.isArray(json.fields)) throw invalid('a record needs a "fields" array', path);
    const node: RecordNode = { type: 'record', ...names, fields: [] };
    this.names.define(node, path);
    const seen = new Set<string>();
    json.fields.forEach((field: Json, i) => {
      const fieldPath = `${path}/fields/${i}`;
      const parsed = this.field(field, namespace, fieldPath);
      if (seen.has(parsed.name))
        throw invalid(`the field '${parsed.name}' is declared twice`, fieldPath);
      seen.add(parsed.name);
      node.fields.push(parsed);
    });
    return node;
  }

  private field(json: Json, namespace: string, path: string): RecordField {
    if (!isObject(json)) throw invalid(`a field must be an object, found ${show(json)}`, path);
    if (typeof json.name !== 'string') throw invalid('a field needs a string "name"', path);
    checkName(json.name, 'the field name', `${path}/name`);
    if (!('type' in json)) throw invalid(`the field '${json.name}' needs a "type"`, path);
    const aliases = stringList(json.aliases, 'aliases', `${path}/aliases`);
    const type = this.node(json.type, namespace, `${path}/type`);
    return { name: json.name, aliases, type, hasDefault: 'default' in json };
  }

  private enumType(json: JsonObject, enclosing: string, path: string): EnumNode {
    const { namespace: _namespace, ...names } = this.named(json, enclosing, path);
    if (!Array.isArray(json.symbols)) throw invalid('an enum needs a "symbols" array', path);
    const symbols = stringList(json.symbols, 'symbols', `${path}/symbols`);
    const seen = new Set<string>();
    for (const symbol of symbols) {
      checkName(symbol, 'the enum symbol', `${path}/symbols`);
      if (seen.has(symbol))
        throw invalid(`the enum symbol '${symbol}' appears twice`, `${path}/symbols`);
      seen.add(symbol);
    }
    const defaultSymbol = json.default;
    if (
      defaultSymbol !== undefined &&
      (typeof defaultSymbol !== 'string' || !seen.has(defaultSymbol))
    ) {
      throw invalid(
        `the enum default ${show(defaultSymbol)} is not one of its symbols`,
        `${path}/default`,
      );
    }
    const node: EnumNode = { type: 'enum', ...names, symbols, defaultSymbol };
    this.names.define(node, path);
    return node;
  }

  private fixed(json: JsonObject, enclosing: string, path: string): FixedNode {
    const { namespace: _namespace, ...names } = this.named(json, enclosing, path);
    const size = json.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      throw invalid(`a fixed type needs a non-negative integer "size", found ${show(size)}`, path);
    }
    const node: FixedNode = { type: 'fixed', ...names, sizeBytes: size };
    this.names.define(node, path);
    return node;
  }
}

// One shared node per primitive type: identical nodes let the checker skip equal pairs.
const primitiveNodes = new Map<PrimitiveTypeName, PrimitiveNode>();

function primitiveNode(type: PrimitiveTypeName): PrimitiveNode {
  let node = primitiveNodes.get(type);
  if (!node) {
    node = Object.freeze({ type });
    primitiveNodes.set(type, node);
  }
  return node;
}

function stringList(value: Json, what: string, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw invalid(`"${what}" must be an array of strings`, path);
  }
  return value;
}

function show(value: Json): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'nothing' : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
