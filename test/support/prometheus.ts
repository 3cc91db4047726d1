import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/** Debian's prometheus (scripts/setup.sh --test installs it). */
export const prometheusPath = '/usr/bin/prometheus';

export function prometheusSkipReason(): string | undefined {
  return existsSync(prometheusPath)
    ? undefined
    : `no ${prometheusPath}: bash scripts/setup.sh --test installs Debian's prometheus`;
}

/** A free loopback port (bound once, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export interface RunningPrometheus {
  readonly url: string;
  /** Instant or range query; returns the result array of the answer. */
  query(expr: string, range?: { startS: number; endS: number; stepS: number }): Promise<unknown[]>;
  stop(): Promise<void>;
}

/**
 * A real Prometheus scraping `targets` (host:port, path /metrics) every second, with optional
 * rule files, on its own loopback port and temporary storage.
 */
export async function startPrometheus(options: {
  readonly targets: readonly string[];
  readonly ruleFiles?: readonly string[];
  readonly alertmanagerUrls?: readonly string[];
}): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'pipewatch-prom-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    ...(options.alertmanagerUrls
      ? {
          alerting: {
            alertmanagers: [
              {
                static_configs: [{ targets: options.alertmanagerUrls.map((u) => new URL(u).host) }],
              },
            ],
          },
        }
      : {}),
    scrape_configs: [
      { job_name: 'pipewatch', static_configs: [{ targets: [...options.targets] }] },
    ],
  };
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, JSON.stringify(config));
  const child: ChildProcess = spawn(
    prometheusPath,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
    },
    { what: 'prometheus ready', timeoutMs: 30_000, intervalMs: 200 },
  );
  return {
    url,
    async query(expr, range) {
      const params = new URLSearchParams({ query: expr });
      let path = '/api/v1/query';
      if (range) {
        path = '/api/v1/query_range';
        params.set('start', String(range.startS));
        params.set('end', String(range.endS));
        params.set('step', String(range.stepS));
      }
      const res = await fetch(`${url}${path}?${params.toString()}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: unknown[] };
      };
      if (body.status !== 'success') throw new Error(`${expr}: ${body.error ?? res.status}`);
      return body.data?.result ?? [];
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
