import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { ESLint } from 'eslint';

// Probes are written as real files inside the pure folders (type-aware lint needs them on disk)
// under a unique name, linted, and removed. Every folder of the pure core that holds code is
// probed, found on disk, so a folder added later is probed without editing this file.
const root = process.cwd();
const eslint = new ESLint({ cwd: root });
const created: string[] = [];
const pureRoots = ['detectors', 'rules', 'schemas/compat'];

/** Every folder under the pure roots that holds a .ts file (probe leftovers excluded). */
function pureFolders(): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    const entries = readdirSync(join(root, folder), { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name.endsWith('.ts'))) found.push(folder);
    for (const e of entries) {
      if (e.isDirectory() && !e.name.startsWith('__probe')) walk(`${folder}/${e.name}`);
    }
  };
  for (const folder of pureRoots) walk(folder);
  return found;
}

/** Lints `code` as a file of `folder`; the messages as `line ruleId: message`. */
async function lintProbe(folder: string, code: string): Promise<string[]> {
  const file = join(root, folder, `__probe-${randomUUID().slice(0, 8)}.ts`);
  created.push(file);
  writeFileSync(file, code);
  const [result] = await eslint.lintFiles([file]);
  return (result?.messages ?? []).map((m) => `${m.line} ${m.ruleId ?? 'parse'}: ${m.message}`);
}

/** Import specifier of a top-level folder's index.js as seen from a file in `folder`. */
function indexOf(folder: string, target: string): string {
  return relative(join(root, folder), join(root, target, 'index.js'))
    .split('\\')
    .join('/');
}

const clock = 'Pass `now` in; the pure core never reads the clock.';

/**
 * One probe per folder, one forbidden thing per line, each with the rule and message lint must
 * report on that line. Line numbers are the array index + 1.
 */
function forbidden(folder: string): [code: string, rule: string, message: string][] {
  const io = 'The pure core does no I/O.';
  return [
    ["import * as kafka from 'kafkajs';", 'no-restricted-imports', io],
    ["import * as sqlite from 'better-sqlite3';", 'no-restricted-imports', io],
    ["import * as http from 'fastify';", 'no-restricted-imports', io],
    ["import * as prom from 'prom-client';", 'no-restricted-imports', io],
    ["import * as fs from 'node:fs';", 'no-restricted-imports', io],
    ["import * as crypto from 'node:crypto';", 'no-restricted-imports', 'no node: modules'],
    [
      `import * as edge from '${indexOf(folder, 'collector')}';`,
      'no-restricted-imports',
      'The pure core may not depend on collector/.',
    ],
    [
      `import * as store from '${indexOf(folder, 'store')}';`,
      'no-restricted-imports',
      'The pure core may not depend on store/.',
    ],
    [
      `import * as errors from '${indexOf(folder, 'common').replace(/index\.js$/, 'errors.js')}';`,
      'no-restricted-imports',
      'Import common/ through its index.js',
    ],
    [
      'export const used: unknown[] = [kafka, sqlite, http, prom, fs, crypto, edge, store, errors];',
      '',
      '',
    ],
    ['export const nowMs = (): number => Date.now();', 'no-restricted-syntax', clock],
    ['export const today = (): Date => new Date();', 'no-restricted-syntax', clock],
    ['export const tickMs = (): number => performance.now();', 'no-restricted-syntax', clock],
    [
      'export const roll = (): number => Math.random();',
      'no-restricted-syntax',
      'Pass a random source in',
    ],
    [
      'export const argv = (): string[] => process.argv;',
      'no-restricted-syntax',
      'does not touch the process',
    ],
  ];
}

describe('lint keeps the pure core pure', () => {
  after(() => {
    for (const file of created) rmSync(file, { force: true });
  });

  const folders = pureFolders();

  it('probes every pure folder that holds code', () => {
    for (const folder of ['detectors', 'detectors/drift', 'detectors/windows', 'rules']) {
      assert.ok(folders.includes(folder), `${folder} in ${folders.join(', ')}`);
    }
    assert.ok(folders.includes('schemas/compat'), folders.join(', '));
  });

  for (const folder of folders) {
    it(`reports every I/O import, clock read, random draw and process access in ${folder}/`, async () => {
      const lines = forbidden(folder);
      const messages = await lintProbe(folder, `${lines.map(([code]) => code).join('\n')}\n`);
      lines.forEach(([code, rule, message], i) => {
        if (rule === '') return;
        assert.ok(
          messages.some((m) => m.startsWith(`${i + 1} ${rule}:`) && m.includes(message)),
          `line ${i + 1} \`${code}\` not reported as ${rule} "${message}":\n${messages.join('\n')}`,
        );
      });
    });

    it(`accepts pure code (and the common/ error catalogue) in ${folder}/`, async () => {
      const messages = await lintProbe(
        folder,
        `import { PipewatchError } from '${indexOf(folder, 'common')}';\n` +
          'export function ageSeconds(nowMs: number, thenMs: number): number {\n' +
          "  if (thenMs > nowMs) throw new PipewatchError('INTERNAL', 'time runs backwards');\n" +
          '  return (nowMs - thenMs) / 1000;\n' +
          '}\n',
      );
      assert.deepEqual(messages, []);
    });
  }

  it('rejects a deep import across top-level folders', async () => {
    const messages = await lintProbe(
      'api',
      "import { PipewatchError } from '../common/errors.js';\nexport const E = PipewatchError;\n",
    );
    assert.ok(
      messages.some((m) => m.includes('through its index.js')),
      messages.join('\n'),
    );
  });
});
