// `pipewatch drift` on 1 M vs 1 M values, end to end (process start, parse, sort, every
// statistic, JSON out), against scipy's ks_2samp plus numpy's 10-bin quantile binning on the
// same files when /usr/bin/python3 has scipy. Prints one JSON line per number.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROWS = 1_000_000;
const RUNS = 3;
const root = fileURLToPath(new URL('../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pipewatch-drift-bench-'));

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Number(value.toPrecision(4)), unit }));
}

/** Seeded normal values (mulberry32 + Box–Muller) written with 6 decimals, one per line. */
function writeSample(file: string, seed: number, mean: number, sd: number): void {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = new Array<string>(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    lines[i] = (mean + sd * z).toFixed(6);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

try {
  const reference = join(dir, 'reference.txt');
  const current = join(dir, 'current.txt');
  writeSample(reference, 1, 0, 1);
  writeSample(current, 2, 0.01, 1.02);

  const cli = [
    join(root, 'bin/pipewatch.js'),
    'drift',
    '--reference',
    reference,
    '--current',
    current,
    '--json',
  ];
  spawnSync(process.execPath, cli); // warm-up: fills the TypeScript transform cache
  const cliSeconds: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = process.hrtime.bigint();
    const run = spawnSync(process.execPath, cli, { encoding: 'utf8' });
    cliSeconds.push(Number(process.hrtime.bigint() - start) / 1e9);
    if (run.status !== 0 && run.status !== 1)
      throw new Error(`pipewatch drift failed: ${run.stderr}`);
  }
  const cliMedian = median(cliSeconds);
  emit('drift.cli_1m_vs_1m_seconds', cliMedian, 's');

  const python = '/usr/bin/python3';
  const hasScipy = spawnSync(python, ['-c', 'import scipy']).status === 0;
  if (hasScipy) {
    const script = `
import sys, time, numpy as np
from scipy import stats
a = np.loadtxt(sys.argv[1]); b = np.loadtxt(sys.argv[2])
times = []
for _ in range(${RUNS}):
    t = time.perf_counter()
    stats.ks_2samp(a, b, method='auto')
    edges = np.unique(np.quantile(a, np.arange(1, 10) / 10))
    np.bincount(np.searchsorted(edges, a, side='right'), minlength=len(edges) + 1)
    np.bincount(np.searchsorted(edges, b, side='right'), minlength=len(edges) + 1)
    times.append(time.perf_counter() - t)
print(sorted(times)[len(times) // 2])
`;
    const scipySeconds = Number(
      execFileSync(python, ['-c', script, reference, current], { encoding: 'utf8' }).trim(),
    );
    emit('drift.scipy_ks_binning_1m_vs_1m_seconds', scipySeconds, 's');
    emit(
      'drift.cli_vs_scipy_ratio',
      cliMedian / scipySeconds,
      'x (cli end to end / scipy compute only)',
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
