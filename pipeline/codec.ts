import { readFileSync } from 'node:fs';
import avro from 'avsc';
import { isPipewatchError, PipewatchError } from '../common/index.js';
import { createRegistryClient } from '../schemas/index.js';

/** The schemas the pipeline writes: raw transactions, the incompatible v2 fault, features. */
export type SchemaKind = 'transaction' | 'transaction-v2' | 'features';

const schemaFiles: Record<SchemaKind, string> = {
  transaction: 'transaction.avsc',
  'transaction-v2': 'transaction-v2-incompatible.avsc',
  features: 'transaction-features.avsc',
};

/** Reads one of the pipeline's Avro schemas from schemas/avro/. */
export function loadPipelineSchema(kind: SchemaKind): Record<string, unknown> {
  const url = new URL(`../schemas/avro/${schemaFiles[kind]}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
}

export type DecodeOutcome =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

/**
 * How record values are turned into bytes and back. `prepare` does the slow part (registering
 * schemas) once, so `encode` is synchronous; `decodeBatch` fetches unknown writer schemas once
 * per batch. A value that cannot be decoded is an `ok: false` outcome (a DLQ record); a
 * registry that cannot be reached is a thrown error (the batch is retried, nothing is DLQ'd).
 */
export interface RecordCodec {
  readonly format: 'json' | 'avro';
  prepare(kinds: readonly SchemaKind[]): Promise<void>;
  encode(kind: SchemaKind, payload: object): Buffer;
  /** The same encoded value, but with a wire-format header naming `schemaId`. */
  withSchemaId(encoded: Buffer, schemaId: number): Buffer;
  decodeBatch(values: readonly (Buffer | null)[]): Promise<DecodeOutcome[]>;
}

function wireHeader(schemaId: number): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(0, 0);
  header.writeUInt32BE(schemaId >>> 0, 1);
  return header;
}

/** JSON values without a wire-format header. */
export function jsonCodec(): RecordCodec {
  return {
    format: 'json',
    async prepare() {},
    encode(_kind, payload) {
      return Buffer.from(JSON.stringify(payload));
    },
    withSchemaId(encoded, schemaId) {
      return Buffer.concat([wireHeader(schemaId), encoded]);
    },
    async decodeBatch(values) {
      return values.map((value) => {
        if (value === null) return { ok: false, message: 'value is null (tombstone)' };
        if (value.length > 0 && value[0] === 0) {
          const id = value.length >= 5 ? value.readUInt32BE(1) : undefined;
          return {
            ok: false,
            message: `value has a Confluent wire-format header (schema id ${id ?? '?'}) but the topic is JSON`,
          };
        }
        try {
          return { ok: true, value: JSON.parse(value.toString('utf8')) as unknown };
        } catch (error) {
          return { ok: false, message: `value is not valid JSON: ${(error as Error).message}` };
        }
      });
    },
  };
}

export interface AvroCodecOptions {
  /** Base URL of a Confluent-compatible schema registry; may carry user-info credentials. */
  readonly registryUrl: string;
  /** Topic of transactions (subjects `<raw>-value`, `<raw>-v2-value`). */
  readonly rawTopic: string;
  /** Topic of features (subject `<features>-value`). */
  readonly featuresTopic: string;
  /** How long an unknown schema id is remembered as unknown, in ms. Default 30000. */
  readonly unknownIdTtlMs?: number;
  /** Config `registry.requestRetries`; the client's default (2) when unset. */
  readonly registryRequestRetries?: number;
  /** Config `registry.retryBackoffMs`; the client's default (100) when unset. */
  readonly registryRetryBackoffMs?: number;
}

interface WriterType {
  fromBuffer(buffer: Buffer): unknown;
}

/** Confluent wire format (magic 0, 4-byte schema id, Avro binary) through a schema registry. */
export function avroCodec(options: AvroCodecOptions): RecordCodec {
  // The one registry client of pipewatch (schemas/client): credentials in the URL work here too,
  // and messages name `registry.url`, which never shows them.
  const registry = createRegistryClient({
    url: options.registryUrl,
    timeoutMs: 10_000,
    retries: options.registryRequestRetries,
    retryBackoffMs: options.registryRetryBackoffMs,
  });
  const subjects: Record<SchemaKind, string> = {
    transaction: `${options.rawTopic}-value`,
    'transaction-v2': `${options.rawTopic}-v2-value`,
    features: `${options.featuresTopic}-value`,
  };
  const encoders = new Map<SchemaKind, { header: Buffer; type: avro.Type }>();
  const writers = new Map<number, WriterType>();
  const unknownUntilMs = new Map<number, number>();
  const unknownIdTtlMs = options.unknownIdTtlMs ?? 30_000;

  async function fetchWriter(id: number): Promise<void> {
    if (writers.has(id) || (unknownUntilMs.get(id) ?? 0) > Date.now()) return;
    const found = await registry.schemaById(id);
    if (found === undefined) {
      unknownUntilMs.set(id, Date.now() + unknownIdTtlMs);
      return;
    }
    try {
      writers.set(id, avro.Type.forSchema(JSON.parse(found.schema) as avro.Schema));
    } catch (error) {
      throw new PipewatchError(
        'SCHEMA_REGISTRY_UNAVAILABLE',
        `schema id ${id} from ${registry.url} is not a usable Avro schema: ${(error as Error).message}`,
        { schemaId: id },
        { cause: error },
      );
    }
  }

  return {
    format: 'avro',
    async prepare(kinds) {
      for (const kind of kinds) {
        if (encoders.has(kind)) continue;
        const schema = loadPipelineSchema(kind);
        let id: number;
        try {
          ({ id } = await registry.register(subjects[kind], JSON.stringify(schema)));
        } catch (error) {
          if (!isPipewatchError(error)) throw error;
          throw new PipewatchError(
            'SCHEMA_REGISTRY_UNAVAILABLE',
            `cannot register ${schemaFiles[kind]} under ${subjects[kind]}: ${error.message}`,
            { subject: subjects[kind] },
            { cause: error },
          );
        }
        encoders.set(kind, {
          header: wireHeader(id),
          type: avro.Type.forSchema(schema as avro.Schema),
        });
      }
    },
    encode(kind, payload) {
      const encoder = encoders.get(kind);
      if (!encoder) {
        throw new PipewatchError('INTERNAL', `avro codec: schema ${kind} was not prepared`);
      }
      return Buffer.concat([encoder.header, encoder.type.toBuffer(payload)]);
    },
    withSchemaId(encoded, schemaId) {
      const copy = Buffer.from(encoded);
      copy.writeUInt32BE(schemaId >>> 0, 1);
      return copy;
    },
    async decodeBatch(values) {
      const ids = new Set<number>();
      for (const value of values) {
        if (value && value.length >= 5 && value[0] === 0) ids.add(value.readUInt32BE(1));
      }
      for (const id of ids) await fetchWriter(id);
      return values.map((value) => decodeAvro(value, writers));
    },
  };
}

function decodeAvro(value: Buffer | null, writers: Map<number, WriterType>): DecodeOutcome {
  if (value === null) return { ok: false, message: 'value is null (tombstone)' };
  if (value.length < 5 || value[0] !== 0) {
    return {
      ok: false,
      message: `value is not in the Confluent wire format (first byte 0x${(value[0] ?? 0).toString(16).padStart(2, '0')}, length ${value.length})`,
    };
  }
  const id = value.readUInt32BE(1);
  const writer = writers.get(id);
  if (!writer) return { ok: false, message: `schema id ${id} is not registered in the registry` };
  try {
    return { ok: true, value: writer.fromBuffer(value.subarray(5)) };
  } catch (error) {
    return {
      ok: false,
      message: `Avro payload does not match writer schema id ${id}: ${(error as Error).message}`,
    };
  }
}
