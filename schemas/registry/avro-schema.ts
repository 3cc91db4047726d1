import avro from 'avsc';
import { PipewatchError } from '../../common/index.js';

/** A schema as a client sends it in a registration, lookup or compatibility request. */
export interface SchemaRequest {
  readonly schema?: unknown;
  /** Absent means AVRO, as in Confluent. */
  readonly schemaType?: unknown;
  readonly references?: unknown;
}

export interface ParsedSchema {
  readonly schemaType: 'AVRO';
  /** The JSON text without insignificant whitespace, key order kept: what clients get back. */
  readonly text: string;
  /** Type plus the JSON with object keys sorted: equal keys are the same schema. */
  readonly dedupeKey: string;
}

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new PipewatchError('REGISTRY_SCHEMA_INVALID', message, details);

/** Validates an Avro schema request (avsc `Type.forSchema`) and gives its canonical forms. */
export function parseSchemaRequest(request: SchemaRequest): ParsedSchema {
  const { schema, schemaType, references } = request;
  if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
    if (schemaType === 'JSON' || schemaType === 'PROTOBUF') {
      throw invalid(
        `Schema type ${schemaType} is not supported by the embedded registry: it stores AVRO schemas only`,
        { schemaType },
      );
    }
    throw invalid(`Invalid schema type ${JSON.stringify(schemaType)}: expected AVRO`, {
      schemaType,
    });
  }
  if (Array.isArray(references) && references.length > 0) {
    throw invalid('Schema references are not supported by the embedded registry');
  }
  if (typeof schema !== 'string' || schema.trim() === '') {
    throw invalid('Empty schema: the request body needs a "schema" field holding the schema text');
  }
  let json: unknown;
  try {
    json = JSON.parse(schema);
  } catch (error) {
    throw invalid(`Invalid schema: not JSON: ${(error as Error).message}`);
  }
  try {
    avro.Type.forSchema(json as avro.Schema);
  } catch (error) {
    throw invalid(`Invalid schema ${schema}: ${(error as Error).message}`);
  }
  return {
    schemaType: 'AVRO',
    text: JSON.stringify(json),
    dedupeKey: `AVRO:${JSON.stringify(sortKeys(json))}`,
  };
}

/** Object key order carries no meaning in Avro; array order (fields, symbols) does. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
