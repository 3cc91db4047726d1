import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/** Debian's prometheus-alertmanager (installed by `bash scripts/setup.sh --test`). */
const binary = '/usr/bin/prometheus-alertmanager';
const installed = spawnSync(binary, ['--version']).status === 0;
/** The `skip` of a test that needs the real Alertmanager: false, or why it cannot run. */
export const alertmanagerSkip: false | string = installed
  ? false
  : 'prometheus-alertmanager not installed (bash scripts/setup.sh --test installs it)';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RunningAlertmanager {
  readonly url: string;
  /** What it wrote to stderr so far (for failure messages). */
  log(): string;
  /** SIGTERM, then waits for the exit: it writes its data directory while it stops. */
  stop(): Promise<void>;
}

/**
 * A real Alertmanager on a free port, routing everything to one webhook receiver with 1 s
 * group wait and interval (so tests see notifications quickly), data under `dir`.
 */
export async function startAlertmanager(options: {
  readonly dir: string;
  readonly groupBy: readonly string[];
  readonly webhookUrl: string;
}): Promise<RunningAlertmanager> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(options.dir, 'alertmanager.yml');
  writeFileSync(
    config,
    [
      'route:',
      '  receiver: hook',
      `  group_by: [${options.groupBy.map((l) => `'${l}'`).join(', ')}]`,
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 4h',
      'receivers:',
      '  - name: hook',
      '    webhook_configs:',
      `      - url: ${options.webhookUrl}`,
      '        send_resolved: true',
      '',
    ].join('\n'),
  );
  const am = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.path=${join(options.dir, 'am-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  am.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    const exited = am.exitCode === null ? once(am, 'exit') : undefined;
    am.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      async () => {
        try {
          return (await fetch(`${url}/-/ready`)).ok;
        } catch {
          return false;
        }
      },
      { what: `Alertmanager ready at ${url}`, timeoutMs: 60_000, intervalMs: 200 },
    );
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${log}`);
  }
  return { url, log: () => log, stop };
}
