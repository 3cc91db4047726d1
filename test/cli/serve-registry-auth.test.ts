// `pipewatch serve` against an external schema registry that requires basic auth: the embedded
// Kafka cluster and pipeline, the registry behind a real HTTP gate (401 without credentials).
// With PIPEWATCH_REGISTRY_USERNAME/PASSWORD every registry caller of the service (the pipeline's
// Avro codec registering and fetching schemas, the taps decoding the wire format) gets through,
// and the password shows in no log line; without them start-up fails with a clear error.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { memorySchemaRegistryStore } from '../../store/index.js';
import { runCli, spawnCli } from '../support/cli.js';
import { startRegistryAuthGate, type RegistryAuthGate } from '../support/registry-auth-gate.js';

const username = 'svc-key';
const password = 'S3cret!pw';

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

describe('serve with an external registry that requires basic auth', () => {
  let registry: RunningRegistryServer;
  let gate: RegistryAuthGate;
  before(async () => {
    registry = await startRegistryServer({
      store: memorySchemaRegistryStore(),
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    gate = await startRegistryAuthGate(registry.url, { username, password });
  });
  after(async () => {
    await gate.close();
    await registry.close();
  });

  const configFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-auth-serve-'));
    const file = join(dir, 'pipewatch.yaml');
    // The clean scenario only; no auto references (not what this test is about).
    writeFileSync(
      file,
      'pipeline:\n  embedded:\n    faultScenarioSeconds: 3600\n    autoReferenceAfterSeconds: 0\n',
    );
    return { dir, file };
  };

  it('with the credentials from the environment the pipeline and the taps get through', async () => {
    const { dir, file } = configFile();
    const service = spawnCli(['serve', '--config', file], {
      PIPEWATCH_DATA_DIR: dir,
      PIPEWATCH_HTTP_PORT: '0',
      PIPEWATCH_REGISTRY_URL: gate.url,
      PIPEWATCH_REGISTRY_USERNAME: username,
      PIPEWATCH_REGISTRY_PASSWORD: password,
    });
    try {
      const up = await service.waitForLog('pipewatch is up');
      assert.equal(up.schemaRegistry, gate.url, 'logged without credentials');
      const base = String(up.http);
      let text = '';
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        text = await (await fetch(`${base}/metrics`)).text();
        const decoded = sample(text, 'pipewatch_topic_records_total', {
          topic: 'features.transactions',
        });
        if ((decoded ?? 0) >= 50) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(
        (sample(text, 'pipewatch_topic_records_total', { topic: 'features.transactions' }) ?? 0) >=
          50,
        'the taps read Avro features through the authenticated registry',
      );
      assert.equal(
        sample(text, 'pipewatch_schema_lookup_failures_total', { topic: 'raw.transactions' }) ?? 0,
        0,
        'no lookup failed',
      );
      assert.equal(gate.refused(), 0, 'every registry request carried the credentials');
      assert.ok(gate.allowed() >= 3, 'registrations and lookups went through the gate');
      assert.ok(
        (
          await fetch(`${gate.url}/subjects`, {
            headers: {
              authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
            },
          }).then((r) => r.json() as Promise<string[]>)
        ).includes('raw.transactions-value'),
        'the pipeline registered its schema',
      );
    } finally {
      service.child.kill('SIGTERM');
      await service.exited;
    }
    assert.ok(!service.output.stdout.includes(password), 'the password is in no log line');
    assert.ok(!service.output.stderr.includes(password));
    assert.ok(
      !service.output.stdout.includes(Buffer.from(`${username}:${password}`).toString('base64')),
    );
  });

  it('without credentials start-up fails naming the registry and what is missing', async () => {
    const { dir, file } = configFile();
    const refusedBefore = gate.refused();
    const result = await runCli(['serve', '--config', file], {
      PIPEWATCH_DATA_DIR: dir,
      PIPEWATCH_HTTP_PORT: '0',
      PIPEWATCH_REGISTRY_URL: gate.url,
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /SCHEMA_REGISTRY_UNAVAILABLE: .*schema registry http:\/\/127\.0\.0\.1:\d+ needs credentials \(HTTP 401/,
    );
    assert.ok(gate.refused() > refusedBefore);
  });
});
