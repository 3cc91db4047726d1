// Cost of live drift on the collector's path: the drift sink per record (two watched features,
// default 5 m / 1 h / 24 h windows), in record-time order and late (stamped before the windows'
// clock: buffered and folded in), and one evaluation of a feature (all windows, all metrics).
import { pino } from 'pino';
import type { DecodedRecord } from '../collector/index.js';
import {
  categoricalReferenceFromValues,
  defaultWindowSpecs,
  numericReferenceFromValues,
} from '../detectors/index.js';
import { DriftRuntime, ReadingsBoard } from '../monitor/index.js';
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
const monitor = new DriftRuntime({
  referenceStore: store,
  board: new ReadingsBoard(),
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

// Late records: the windows' clock is at `lateNowMs`; each record is stamped 1-10 minutes
// earlier (a partition read behind another), so every value takes the buffered path.
const lateNowMs = t0 + total + evaluations * 10 + 3_600_000;
monitor.evaluate(lateNowMs);
const late: DecodedRecord[] = records.map((r, i) => ({
  ...r,
  timestampMs: lateNowMs - 60_000 * (1 + (i % 10)),
}));
const lateTotal = 1_000_000;
started = performance.now();
for (let i = 0; i < lateTotal; i++) monitor.sink.onRecord(late[i % late.length]!, lateNowMs);
monitor.evaluate(lateNowMs);
const lateRate = lateTotal / ((performance.now() - started) / 1000);
line('drift_wiring.sink_late', lateRate, 'records/s');
