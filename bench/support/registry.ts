// The embedded schema registry on a throwaway SQLite file, for benchmarks that need one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startRegistryServer } from '../../api/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { openDatabase } from '../../store/index.js';

export interface BenchRegistry {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBenchRegistry(): Promise<BenchRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'pipewatch-bench-'));
  const db = openDatabase(join(dir, 'registry.sqlite'));
  const server = await startRegistryServer({
    db,
    checker: engineCompatibilityChecker,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
  });
  return {
    url: server.url,
    async close() {
      await server.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
