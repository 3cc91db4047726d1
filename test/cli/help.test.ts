import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

/** Command names from `pipewatch --help` ("  name  summary" lines under "commands:"). */
function commandNames(help: string): string[] {
  const section = help.split('commands:\n')[1] ?? '';
  return section
    .split('\n')
    .map((line) => /^ {2}([a-z-]+) /.exec(line)?.[1])
    .filter((n): n is string => n !== undefined);
}

describe('pipewatch --help', () => {
  it('every command and sub-command answers --help with its usage and exit 0, doing nothing else', async () => {
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    const names = commandNames(top.stdout);
    assert.ok(names.length >= 5, `commands listed: ${names.join(', ')}`);
    for (const name of names) {
      const own = await runCli([name, '--help'], { PIPEWATCH_HTTP_PORT: '1' });
      assert.equal(own.code, 0, `${name} --help: ${own.stderr}`);
      assert.match(own.stdout, new RegExp(`usage: pipewatch ${name}\\b`), name);
      assert.equal(own.stderr, '', `${name} --help wrote to stderr`);
      const subs = new Set(
        [...own.stdout.matchAll(new RegExp(`pipewatch ${name} ([a-z]+)\\b`, 'g'))].map(
          (m) => m[1]!,
        ),
      );
      for (const sub of subs) {
        const r = await runCli([name, sub, '--help']);
        assert.equal(r.code, 0, `${name} ${sub} --help: ${r.stderr}`);
        assert.match(r.stdout, /usage: /);
      }
    }
    const viaHelp = await runCli(['help', 'drift']);
    assert.equal(viaHelp.code, 0);
    assert.match(viaHelp.stdout, /usage: pipewatch drift/);
  });

  it('an unknown command is still a usage error (exit 2)', async () => {
    const r = await runCli(['nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'nope'/);
  });
});
