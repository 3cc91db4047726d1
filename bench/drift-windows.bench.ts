// Streaming drift windows: values/s into one numeric feature with the three default windows
// (5 min / 30 s, 1 h / 5 min, 24 h / 1 h), a naive baseline in the same run, and the size of
// one feature's serialised state. Run: node --import tsx bench/drift-windows.bench.ts
import {
  binIndex,
  defaultWindowSpecs,
  FeatureWindows,
  numericReferenceFromValues,
  serializeWindowState,
} from '../detectors/index.js';
import { seededRandom as rng } from '../test/support/random.js';

function print(name: string, value: number, unit: string) {
  process.stdout.write(`${JSON.stringify({ name, value, unit })}\n`);
}

const next = rng(42);
const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
const reference = numericReferenceFromValues(
  Array.from({ length: 100_000 }, () => normal()),
  { bins: 10, fineBins: 200 },
);
// Current traffic drifts a little and spills out of the reference range now and then.
const block = Float64Array.from({ length: 1 << 20 }, () => 0.2 + 1.1 * normal());
const startMs = 1_700_000_000_000;
/** 5 simulated ms per value: 20 M values span 28 h, so every sub-window of every window fills. */
const msPerValue = 5;

function streamWindows(total: number): { seconds: number; state: FeatureWindows } {
  const state = FeatureWindows.create(reference, startMs, defaultWindowSpecs);
  const mask = block.length - 1;
  const begin = process.hrtime.bigint();
  for (let i = 0; i < total; i++) {
    state.updateNumber(block[i & mask]!, startMs + i * msPerValue);
  }
  const seconds = Number(process.hrtime.bigint() - begin) / 1e9;
  state.snapshot(startMs + total * msPerValue);
  return { seconds, state };
}

/** What a straightforward implementation does: a Map histogram per window, a search each. */
function streamNaive(total: number): number {
  const windows = defaultWindowSpecs.map(() => new Map<number, number>());
  const edges = Array.from(reference.edges);
  const mask = block.length - 1;
  const begin = process.hrtime.bigint();
  for (let i = 0; i < total; i++) {
    const x = block[i & mask]!;
    for (const histogram of windows) {
      const bin = binIndex(edges, x);
      histogram.set(bin, (histogram.get(bin) ?? 0) + 1);
    }
  }
  return Number(process.hrtime.bigint() - begin) / 1e9;
}

streamWindows(2_000_000); // warm-up
const total = 20_000_000;
const { seconds, state } = streamWindows(total);
const perSecond = total / seconds;
print('drift.window_update_values_per_s', Math.round(perSecond), 'values/s');

streamNaive(1_000_000);
const naiveTotal = 5_000_000;
const naivePerSecond = naiveTotal / streamNaive(naiveTotal);
print('drift.window_update_naive_values_per_s', Math.round(naivePerSecond), 'values/s');
print('drift.window_update_vs_naive_ratio', Number((perSecond / naivePerSecond).toFixed(2)), 'x');

print('drift.state_bytes_per_feature', serializeWindowState(state).length, 'bytes');
print('drift.state_memory_bytes_per_feature', state.byteSize(), 'bytes');
