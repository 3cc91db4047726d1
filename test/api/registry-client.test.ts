import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { RawAvroSchema } from '@kafkajs/confluent-schema-registry/dist/@types.js';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';

const v1 = {
  type: 'record',
  name: 'Transaction',
  namespace: 'pipewatch.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amountCents', type: 'long' },
  ],
};
// BACKWARD-compatible: the added field has a default.
const v2 = {
  ...v1,
  fields: [...v1.fields, { name: 'currency', type: 'string', default: 'EUR' }],
};
// Not BACKWARD-compatible with v2: a new field without a default.
const v3Bad = {
  ...v1,
  fields: [...v2.fields, { name: 'merchant', type: 'string' }],
};
const avroSchema = (schema: object) => ({
  type: SchemaType.AVRO as const,
  schema: JSON.stringify(schema),
});

describe('embedded registry driven by @kafkajs/confluent-schema-registry', () => {
  let dir: string;
  let file: string;
  let db: SqliteDatabase;
  let server: RunningRegistryServer;
  let client: SchemaRegistry;
  const logger = pino({ level: 'silent' });

  const start = async () => {
    db = openDatabase(file);
    server = await startRegistryServer({
      db,
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger,
    });
    client = new SchemaRegistry({ host: server.url, retry: { retries: 0 } });
  };
  const stop = async () => {
    await server.close();
    db.close();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-registry-'));
    file = join(dir, 'pipewatch.sqlite');
    await start();
  });
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const subject = 'transactions-value';
  let firstId = 0;

  it('registers, encodes and decodes', async () => {
    const { id } = await client.register(avroSchema(v1), { subject });
    assert.ok(Number.isInteger(id) && id > 0);
    firstId = id;
    const record = { id: 't-1', amountCents: 1234 };
    const encoded = await client.encode(id, record);
    // Confluent wire format: magic byte 0, then the 4-byte big-endian schema id.
    assert.equal(encoded[0], 0);
    assert.equal(encoded.readInt32BE(1), id);
    assert.deepEqual({ ...(await client.decode(encoded)) }, record);
    assert.equal(await client.getLatestSchemaId(subject), id);
  });

  it('returns the same id when the same schema is registered again', async () => {
    const { id } = await client.register(avroSchema(v1), { subject });
    assert.equal(id, firstId);
    assert.equal(await client.getRegistryIdBySchema(subject, avroSchema(v1)), firstId);
  });

  it('accepts a BACKWARD-compatible evolution and refuses an incompatible one with 409', async () => {
    const { id: secondId } = await client.register(avroSchema(v2), { subject });
    assert.notEqual(secondId, firstId);
    assert.equal(await client.getLatestSchemaId(subject), secondId);
    assert.equal(await client.getRegistryId(subject, 1), firstId);
    await assert.rejects(
      client.register(avroSchema(v3Bad), { subject }),
      (error: Error & { status?: number }) => {
        assert.equal(error.status, 409);
        assert.match(error.message, /incompatible with an earlier schema/);
        return true;
      },
    );
    assert.equal(await client.getLatestSchemaId(subject), secondId);
  });

  it('decodes v1 data with the v2 reader schema', async () => {
    const encoded = await client.encode(firstId, { id: 't-2', amountCents: 5 });
    const decoded: unknown = await client.decode(encoded, {
      [SchemaType.AVRO]: { readerSchema: v2 as RawAvroSchema },
    });
    assert.deepEqual({ ...(decoded as object) }, { id: 't-2', amountCents: 5, currency: 'EUR' });
  });

  it('keeps everything after the SQLite file is reopened', async () => {
    await stop();
    await start();
    assert.equal(await client.getLatestSchemaId(subject), await client.getRegistryId(subject, 2));
    assert.equal(await client.getRegistryId(subject, 1), firstId);
    const encoded = await client.encode(firstId, { id: 't-3', amountCents: 7 });
    assert.deepEqual({ ...(await client.decode(encoded)) }, { id: 't-3', amountCents: 7 });
    // The subject's level survived too: the incompatible schema is still refused.
    await assert.rejects(client.register(avroSchema(v3Bad), { subject }), { status: 409 });
    const { id } = await client.register(avroSchema(v1), { subject });
    assert.equal(id, firstId);
  });
});
