// Cost of live drift on the collector's path: the drift sink per record (two watched features,
// default 5 m / 1 h / 24 h windows) and one evaluation of a feature (all windows, all metrics).
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DriftMonitor, type DecodedRecord } from '../collector/index.js';
import {
  categoricalReferenceFromValues,
  defaultWindowSpecs,
  numericReferenceFromValues,
} from '../detectors/index.js';
import { memoryReferenceStore } from '../store/index.js';

const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Number(value.toPrecision(4)), unit }));

let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const channels = ['web', 'pos', 'app', 'atm', 'phone'];
const store = memoryReferenceStore();
const t0 = 1_700_000_000_000;
store.register(
  {
    topic: 't',
    feature: 'amount',
    source: 'values',
    reference: numericReferenceFromValues(Array.from({ length: 20_000 }, () => random() * 100)),
  },
  t0,
);
store.register(
  {
    topic: 't',
    feature: 'channel',
    source: 'values',
    reference: categoricalReferenceFromValues(
      Array.from({ length: 20_000 }, () => channels[Math.floor(random() * 5)]!),
    ),
  },
  t0,
);
const monitor = new DriftMonitor({
  referenceStore: store,
  metricsRegistry: new Registry(),
  logger: pino({ level: 'silent' }),
  windows: defaultWindowSpecs,
  thresholds: {},
  minWindowValues: 500,
  evaluateIntervalMs: 10_000,
  persistIntervalMs: 60_000,
});
monitor.refresh(t0);

const records: DecodedRecord[] = Array.from({ length: 10_000 }, () => ({
  topic: 't',
  partition: 0,
  offset: '0',
  timestampMs: t0,
  key: null,
  headers: {},
  value: null,
  payload: { amount: random() * 110, channel: channels[Math.floor(random() * 5)], other: 1 },
  schemaId: undefined,
}));
const total = 2_000_000;
let started = performance.now();
for (let i = 0; i < total; i++) monitor.sink.onRecord(records[i % records.length]!, t0 + i);
line('drift_wiring.sink', total / ((performance.now() - started) / 1000), 'records/s');

const evaluations = 2000;
started = performance.now();
for (let i = 0; i < evaluations; i++) monitor.evaluate(t0 + total + i * 10);
line(
  'drift_wiring.evaluate_feature',
  ((performance.now() - started) * 1000) / (evaluations * 2),
  'us/feature',
);
