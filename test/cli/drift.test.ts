// `pipewatch drift` end to end: spawn the real CLI on files written from the scipy golden
// inputs and compare its JSON with scipy's numbers (1e-9 relative, p-values 1e-6).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const golden = JSON.parse(readFileSync(join(root, 'test/fixtures/drift/golden.json'), 'utf8')) as {
  numeric: {
    name: string;
    bins: number;
    reference: number[];
    current: number[];
    expected: Record<string, number>;
  }[];
  categorical: {
    name: string;
    reference_counts: Record<string, number>;
    current_counts: Record<string, number>;
    expected: Record<string, unknown> & {
      chi2: { statistic: number; pvalue: number; dof: number };
    };
  }[];
};
const dir = mkdtempSync(join(tmpdir(), 'pipewatch-drift-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function pipewatch(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin/pipewatch.js'), ...args],
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

function close(actual: unknown, expected: number, rtol: number, label: string): void {
  assert.equal(typeof actual, 'number', label);
  const a = actual as number;
  assert.ok(
    Math.abs(a - expected) <= rtol * Math.abs(expected) + 1e-300,
    `${label}: ${a} vs scipy ${expected}`,
  );
}

function numericCase(name: string) {
  const found = golden.numeric.find((c) => c.name === name);
  assert.ok(found, name);
  return found;
}

describe('pipewatch drift', () => {
  it('numeric: prints scipy-equal metrics as JSON, counts nulls, exits 1 on drift', async () => {
    const c = numericCase('out_of_range');
    // Nulls in three spellings, padding and a CRLF line must not change the statistics.
    const reference = write('ref.txt', [
      '',
      ` ${c.reference[0]}\t\r`,
      ...c.reference.slice(1).map(String),
      'NA',
    ]);
    const current = write('cur.txt', [...c.current.map(String), 'null', '']);
    const run = await pipewatch([
      'drift',
      '--reference',
      reference,
      '--current',
      current,
      '--json',
    ]);
    assert.equal(run.stderr, '');
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    const e = c.expected;
    assert.equal(out.kind, 'numeric');
    assert.equal(out.n_reference, c.reference.length);
    assert.equal(out.n_current, c.current.length);
    for (const key of [
      'psi',
      'js_divergence',
      'js_distance',
      'ks_statistic',
      'wasserstein',
      'out_of_range_ratio',
    ]) {
      close(out[key], e[key] as number, 1e-9, key);
    }
    close(out.ks_pvalue, e.ks_pvalue as number, 1e-6, 'ks_pvalue');
    close(out.null_rate_reference, 2 / (c.reference.length + 2), 1e-12, 'null_rate_reference');
    close(out.null_rate_current, 2 / (c.current.length + 2), 1e-12, 'null_rate_current');
    assert.equal(out.drift, true);
    assert.equal(run.code, 1);
  });

  it('numeric: no drift exits 0 and the table says so', async () => {
    const c = numericCase('exact_equal_sizes');
    const reference = write('ref-same.txt', c.reference.map(String));
    const current = write('cur-same.txt', c.current.map(String));
    const run = await pipewatch(['drift', '--reference', reference, '--current', current]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^psi\s+0\.0068652$/m);
    assert.match(run.stdout, /no drift detected/);
  });

  it('categorical: PSI, JS, chi-square and the unseen share match scipy; clear drift exits 1', async () => {
    const c = golden.categorical.find((x) => x.name === 'unseen');
    assert.ok(c);
    const expand = (counts: Record<string, number>) =>
      Object.entries(counts).flatMap(([k, n]) => Array<string>(n).fill(k));
    const reference = write('ref-cat.txt', expand(c.reference_counts));
    const current = write('cur-cat.txt', [...expand(c.current_counts), 'NA']);
    const run = await pipewatch([
      'drift',
      '--kind',
      'categorical',
      '--reference',
      reference,
      '--current',
      current,
      '--json',
    ]);
    // The golden is clear drift (scipy: chi2 p = 4.8e-10, Cramér's V 0.54): exit 1, not "0 or 1".
    assert.equal(run.code, 1, run.stderr);
    const out = JSON.parse(run.stdout) as Record<string, unknown> & {
      tests: Record<string, { significant: boolean; drift: boolean }>;
    };
    const e = c.expected;
    for (const key of ['psi', 'js_divergence', 'js_distance', 'unseen_ratio']) {
      close(out[key], e[key] as number, 1e-9, key);
    }
    close(out.chi2_statistic, e.chi2.statistic, 1e-9, 'chi2_statistic');
    close(out.chi2_pvalue, e.chi2.pvalue, 1e-6, 'chi2_pvalue');
    assert.equal(out.chi2_dof, e.chi2.dof);
    assert.equal(out.drift, true);
    assert.deepEqual(out.tests.chi2, { ...out.tests.chi2, significant: true, drift: true });
  });

  it('names the file and line of a non-numeric value and exits 2', async () => {
    const reference = write('ref-ok.txt', ['1', '2', '3']);
    const current = write('cur-bad.txt', ['1.5', '', 'abc', '2']);
    const run = await pipewatch(['drift', '--reference', reference, '--current', current]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /DRIFT_INPUT_INVALID/);
    assert.ok(run.stderr.includes(`${current}:3: 'abc'`), run.stderr);
  });

  it('rejects bad flags and unreadable files with exit 2', async () => {
    const reference = write('ref-flags.txt', ['1', '2']);
    const bins = await pipewatch([
      'drift',
      '--reference',
      reference,
      '--current',
      reference,
      '--bins',
      '1',
    ]);
    assert.equal(bins.code, 2);
    assert.match(bins.stderr, /--bins must be an integer >= 2/);
    const missing = await pipewatch([
      'drift',
      '--reference',
      join(dir, 'nope.txt'),
      '--current',
      reference,
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /DRIFT_INPUT_UNREADABLE/);
  });
});
