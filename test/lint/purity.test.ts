import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ESLint } from 'eslint';

// Probes are written as real files inside the pure folders (type-aware lint needs them on disk)
// under a unique name, linted, and removed.
const root = process.cwd();
const eslint = new ESLint({ cwd: root });
const created: string[] = [];

async function lintProbe(folder: string, code: string): Promise<string[]> {
  const dir = mkdtempSync(join(root, folder, '__probe-'));
  created.push(dir);
  const file = join(dir, 'probe.ts');
  writeFileSync(file, code);
  const [result] = await eslint.lintFiles([file]);
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('lint keeps the pure core pure', () => {
  after(() => {
    for (const dir of created) rmSync(dir, { recursive: true, force: true });
  });

  for (const folder of ['detectors', 'rules']) {
    it(`rejects a clock read in ${folder}/`, async () => {
      const messages = await lintProbe(folder, 'export const nowMs = (): number => Date.now();\n');
      assert.ok(
        messages.some((m) => m.includes('never reads the clock')),
        messages.join('\n'),
      );
    });

    it(`rejects new Date() in ${folder}/`, async () => {
      const messages = await lintProbe(folder, 'export const today = (): Date => new Date();\n');
      assert.ok(
        messages.some((m) => m.includes('never reads the clock')),
        messages.join('\n'),
      );
    });

    for (const module of ['kafkajs', 'better-sqlite3', 'fastify', 'prom-client', 'node:fs']) {
      it(`rejects an import of ${module} in ${folder}/`, async () => {
        const messages = await lintProbe(
          folder,
          `import * as io from '${module}';\nexport const used: unknown = io;\n`,
        );
        assert.ok(
          messages.some((m) => m.startsWith('no-restricted-imports')),
          messages.join('\n'),
        );
      });
    }

    it(`accepts pure code in ${folder}/`, async () => {
      const messages = await lintProbe(
        folder,
        'export function ageSeconds(nowMs: number, thenMs: number): number {\n  return (nowMs - thenMs) / 1000;\n}\n',
      );
      assert.deepEqual(messages, []);
    });
  }

  it('rejects a deep import across top-level folders', async () => {
    const messages = await lintProbe(
      'api',
      "import { PipewatchError } from '../../common/errors.js';\nexport const E = PipewatchError;\n",
    );
    assert.ok(
      messages.some((m) => m.includes('through its index.js')),
      messages.join('\n'),
    );
  });
});
