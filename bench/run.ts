// Runs every bench/*.bench.ts (or those whose name contains an argument), one process each so
// they do not disturb each other, passing through their JSON lines and collecting them in
// bench/results/latest.jsonl. Benchmarks never assert; a failing one is reported and skipped.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const benches = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (benches.length === 0) {
  console.error(`no benchmark matches ${filters.join(' ')}`);
  process.exit(2);
}
const lines: string[] = [];
let failed = 0;
for (const file of benches) {
  process.stderr.write(`bench: running ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join('bench', file)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of result.stdout.split('\n')) {
    if (!isResultLine(line)) continue;
    lines.push(line.trim());
    process.stdout.write(`${line.trim()}\n`);
  }
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} exited with ${result.status}\n`);
  }
}
mkdirSync(join('bench', 'results'), { recursive: true });
writeFileSync(join('bench', 'results', 'latest.jsonl'), `${lines.join('\n')}\n`);
process.exitCode = failed > 0 ? 1 : 0;

/** A result line is a JSON object with a string name and a numeric value; logs are not. */
function isResultLine(line: string): boolean {
  if (!line.trim().startsWith('{')) return false;
  try {
    const parsed = JSON.parse(line) as { name?: unknown; value?: unknown };
    return typeof parsed.name === 'string' && typeof parsed.value === 'number';
  } catch {
    return false;
  }
}
