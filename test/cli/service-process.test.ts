// The service as a person runs it: what an unreachable broker prints at the default log level,
// and `npm start` stopped with SIGTERM (as a process manager or `docker stop` does) leaving no
// process behind. Real child processes; the embedded default on free ports and a temp data dir.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cleanEnv, runCli } from '../support/cli.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'pipewatch-proc-'));

/** Pids of the live processes in a process group (zombies excluded). */
function groupMembers(pgid: number): number[] {
  const out = spawnSync('ps', ['-o', 'pid=,stat=', '-g', String(pgid)], { encoding: 'utf8' });
  return out.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([pid, stat]) => pid && stat && !stat.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

async function until(what: string, check: () => boolean, limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the service process', () => {
  it('an unreachable broker gives one clear line, not a screen of kafkajs errors', async () => {
    const dir = tempDir();
    const file = join(dir, 'pipewatch.yaml');
    writeFileSync(file, 'kafka:\n  connectTimeoutMs: 3000\n');
    // Default log level (info): what a person sees.
    const result = await runCli(['serve', '--config', file], {
      PIPEWATCH_KAFKA_BROKERS: '127.0.0.1:1',
      PIPEWATCH_DATA_DIR: dir,
      PIPEWATCH_HTTP_PORT: '0',
    });
    assert.equal(result.code, 1);
    const errorLines = result.stderr.split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(errorLines.length, 1, result.stderr);
    assert.match(
      errorLines[0]!,
      /^pipewatch serve: error KAFKA_UNREACHABLE: no Kafka broker answered within 3000 ms at 127\.0\.0\.1:1$/,
    );
    const logLines = result.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; component?: string; msg: string });
    // Before: 12 kafkajs "Connection error" / "Failed to connect to seed broker" lines at error.
    assert.deepEqual(
      logLines.filter((l) => l.component === 'kafkajs' || l.level >= 40),
      [],
      'no kafkajs line and no warning or error in the log',
    );
  });

  it('`npm start` stopped with SIGTERM leaves no node process running', async () => {
    const dir = tempDir();
    const npm = spawn('npm', ['start', '--silent'], {
      detached: true, // its own process group, so every descendant can be found (and cleaned up)
      env: {
        ...cleanEnv(),
        PIPEWATCH_HTTP_PORT: '0',
        PIPEWATCH_REGISTRY_PORT: '0',
        PIPEWATCH_DATA_DIR: dir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = npm.pid!;
    let stdout = '';
    let stderr = '';
    npm.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await until('pipewatch is up', () => stdout.includes('"msg":"pipewatch is up"'), 90_000);
      const up = stdout
        .split('\n')
        .filter((l) => l.includes('"msg":"pipewatch is up"'))
        .map((l) => JSON.parse(l) as { http: string; schemaRegistry: string })[0]!;
      // Item 20: with no host configured every listener is on loopback only.
      assert.match(up.http, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(up.schemaRegistry, /^http:\/\/127\.0\.0\.1:\d+$/);
      const node = spawnSync('pgrep', ['-g', String(pgid), '-f', 'bin/pipewatch.js serve'], {
        encoding: 'utf8',
      });
      assert.ok(node.stdout.trim() !== '', 'the service runs as a node process of the group');

      process.kill(npm.pid!, 'SIGTERM'); // to npm only, as a process manager does
      // Generous bound for a loaded machine; the service stops in well under a second.
      await until(
        'every process of npm start to exit',
        () => groupMembers(pgid).length === 0,
        30_000,
      ).catch(() => undefined);
      assert.deepEqual(groupMembers(pgid), [], `left running after SIGTERM to npm:\n${stderr}`);
      assert.match(stdout, /"signal":"SIGTERM","msg":"shutting down"/);
    } finally {
      for (const pid of groupMembers(pgid)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
});
