// Decoding Confluent-framed Avro records of the pipeline's transaction shape with a warm schema
// cache: pipewatch's wire decoder (which also classifies violations) against the baseline of
// @kafkajs/confluent-schema-registry's registry.decode() on the same buffers, same registry.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { startBenchRegistry } from './support/registry.js';
import {
  createRegistryHttp,
  createWireDecoder,
  SchemaResolver,
  type TappedRecord,
} from '../collector/index.js';

const recordCount = 50_000;
const rounds = 5;
const transaction = {
  type: 'record',
  name: 'Transaction',
  namespace: 'pipewatch.pipeline',
  fields: [
    { name: 'transaction_id', type: 'string' },
    { name: 'user_id', type: 'string' },
    { name: 'merchant_id', type: 'string' },
    { name: 'amount_usd', type: 'double' },
    { name: 'currency', type: 'string' },
    { name: 'country', type: 'string' },
    { name: 'mcc', type: 'int' },
    { name: 'channel', type: { type: 'enum', name: 'Channel', symbols: ['WEB', 'APP', 'POS'] } },
    { name: 'card_present', type: 'boolean' },
    { name: 'event_time_ms', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'device_id', type: ['null', 'string'], default: null },
  ],
};

const server = await startBenchRegistry();
const client = new SchemaRegistry({ host: server.url });
const topic = 'raw.transactions';
const { id } = await client.register(
  { type: SchemaType.AVRO, schema: JSON.stringify(transaction) },
  { subject: `${topic}-value` },
);
const channels = ['WEB', 'APP', 'POS'];
const values: Buffer[] = [];
for (let i = 0; i < recordCount; i += 1) {
  values.push(
    await client.encode(id, {
      transaction_id: `t-${i}`,
      user_id: `u-${i % 5000}`,
      merchant_id: `m-${i % 700}`,
      amount_usd: (i % 10_000) / 7,
      currency: 'USD',
      country: i % 3 === 0 ? 'DE' : 'US',
      mcc: 5411 + (i % 40),
      channel: channels[i % 3],
      card_present: i % 2 === 0,
      event_time_ms: 1_700_000_000_000 + i,
      device_id: i % 4 === 0 ? null : `d-${i % 900}`,
    }),
  );
}
const records: TappedRecord[] = values.map((value, i) => ({
  topic,
  partition: i % 3,
  offset: String(i),
  timestampMs: 1_700_000_000_000 + i,
  key: null,
  headers: {},
  value,
}));

const decode = createWireDecoder({
  resolver: new SchemaResolver({ registry: createRegistryHttp({ url: server.url }) }),
});
// Warm both caches.
const first = await decode(records[0]!);
if (!first.ok) throw new Error(`bench record did not decode: ${first.message}`);
await client.decode(values[0]!);

const perSecond = async (run: () => Promise<void>) => {
  const started = performance.now();
  await run();
  return recordCount / ((performance.now() - started) / 1000);
};
const ours: number[] = [];
const baseline: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  ours.push(
    await perSecond(async () => {
      for (const record of records) {
        const outcome = await decode(record);
        if (!outcome.ok) throw new Error(outcome.message);
      }
    }),
  );
  baseline.push(
    await perSecond(async () => {
      for (const value of values) await client.decode(value);
    }),
  );
}
await server.close();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
line('schemas.wire_decode_records_per_s', median(ours), 'records/s');
line('schemas.confluent_client_decode_records_per_s', median(baseline), 'records/s');
line('schemas.wire_decode_vs_confluent_client_ratio', median(ours) / median(baseline), 'ratio');
