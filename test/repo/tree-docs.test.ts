// The files that describe the tree (tsconfig includes, eslint's folder list, the README's
// layout table, package.json) against the tree itself: no folder that does not exist, no
// dependency nothing imports, no committed V8 log.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';

const read = (file: string) => readFileSync(file, 'utf8');
const json = (file: string) => JSON.parse(read(file)) as Record<string, unknown>;

/** Top-level folders of pipewatch's own source: TypeScript files directly inside. */
const notSource = new Set(['test', 'bench', 'scripts', 'node_modules', 'dist', 'data']);
const sourceFolders = readdirSync('.').filter(
  (name) =>
    !name.startsWith('.') &&
    !notSource.has(name) &&
    statSync(name).isDirectory() &&
    readdirSync(name).some((f) => f.endsWith('.ts')),
);

/** Every tracked file's text under these roots, to search for imports. */
function trackedText(): string {
  const files = execFileSync('git', ['ls-files'], { encoding: 'utf8' })
    .split('\n')
    .filter(
      (f) => /\.(ts|mjs|js|sh|json)$/.test(f) && f !== 'package-lock.json' && f !== 'package.json',
    );
  return files
    .filter((f) => existsSync(f))
    .map(read)
    .join('\n');
}

/**
 * Installed for work under way and not yet imported, each with its reason. Remove an entry
 * once it is used; nothing else may be unused.
 */
const pendingUse = new Set<string>([]);
/** Used without an import: type packages picked up by tsc, and tools run by name. */
const usedByName = new Set([
  '@types/nodemailer',
  '@types/smtp-server',
  '@types/node',
  '@types/better-sqlite3',
  'typescript',
  'prettier',
  'eslint',
  'tsx',
]);

describe('the tree as the docs and configs describe it', () => {
  it('tsconfig includes name only folders that exist, and every source folder', () => {
    for (const file of ['tsconfig.json', 'tsconfig.build.json']) {
      const include = (json(file).include as string[]).filter((p) => !p.includes('*'));
      for (const folder of include) assert.ok(existsSync(folder), `${file} includes ${folder}`);
      for (const folder of sourceFolders) {
        assert.ok(include.includes(folder), `${file} does not include ${folder}/`);
      }
    }
  });

  it("eslint's folder list is the source folders, and its pure zones exist", () => {
    const config = read('eslint.config.mjs');
    const list = /const topFolders = \[([^\]]*)\]/.exec(config)?.[1] ?? '';
    const folders = [...list.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    assert.deepEqual([...folders].sort(), [...sourceFolders].sort());
    const pure = /const pureFiles = \[([^\]]*)\]/.exec(config)?.[1] ?? '';
    for (const [, glob] of pure.matchAll(/'([^']+)'/g)) {
      const root = glob!.split('/**')[0]!;
      assert.ok(existsSync(root), `pure zone ${glob} names a folder that does not exist`);
    }
  });

  it("the README's layout table lists folders that exist", () => {
    const readme = read('README.md');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## Tests'));
    const named = [...layout.matchAll(/^\| `([a-z-]+)\/`/gm)].map((m) => m[1]!);
    assert.ok(named.length >= 8);
    for (const folder of named) assert.ok(existsSync(folder), `README lists ${folder}/`);
  });

  it('every dependency is imported somewhere (or named as pending, with the reason above)', () => {
    const pkg = json('package.json') as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const text = trackedText();
    const unused = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]
      .filter((name) => !pendingUse.has(name) && !usedByName.has(name))
      .filter(
        (name) => !new RegExp(`['"]${name.replace(/[/.]/g, '\\$&')}(/[^'"]*)?['"]`).test(text),
      );
    assert.deepEqual(unused, []);
  });

  it('commits no V8 or other log files, and ignores them', () => {
    const tracked = execFileSync('git', ['ls-files', '*.log'], { encoding: 'utf8' }).trim();
    assert.equal(tracked, '');
    const check = execFileSync('git', ['check-ignore', 'isolate-0x1234-99-v8.log'], {
      encoding: 'utf8',
    });
    assert.equal(check.trim(), 'isolate-0x1234-99-v8.log');
  });
});
