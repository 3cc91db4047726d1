import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startService } from '../../cli/commands/serve.js';
import { parseConfig } from '../../config/index.js';
import { numericReferenceFromValues } from '../../detectors/index.js';
import { openDatabase, sqliteReferenceStore } from '../../store/index.js';

async function poll(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Issue 9 item 7: a stored reference that no longer validates (here: what the old write path
 * stored for {"values":[-1e308,1e308]}, an edge written as null) must not stop `serve` from
 * starting, nor the other references from being watched. Before the fix, start-up threw
 * REFERENCE_INVALID (exit 2) without naming the topic or feature.
 */
describe('serve with a stored reference that no longer validates', () => {
  let dir: string;
  const topic = 'features.transactions';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-serve-invalid-ref-'));
    const db = openDatabase(join(dir, 'pipewatch.sqlite'));
    sqliteReferenceStore(db).register(
      {
        topic,
        feature: 'good',
        source: 'values',
        reference: numericReferenceFromValues(Array.from({ length: 100 }, (_, i) => i)),
      },
      1,
    );
    db.prepare(
      `INSERT INTO drift_reference_versions (topic, feature, last_version) VALUES (?, 'p', 1)`,
    ).run(topic);
    db.prepare(
      `INSERT INTO drift_references (topic, feature, version, kind, source, created_at_ms, n,
         null_count, bins, reference_json, details_json)
       VALUES (?, 'p', 1, 'numeric', 'values', 1, 2, 0, 2,
         '{"kind":"numeric","edges":[null],"counts":[1,1],"fineEdges":[-1e308,null,1e308],"fineCounts":[0,1,0,1],"min":-1e308,"max":1e308,"n":2,"nullCount":0}',
         '{}')`,
    ).run(topic);
    db.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('starts, watches the good reference and those registered afterwards', async () => {
    const config = parseConfig(
      {
        dataDir: dir,
        logLevel: 'silent',
        http: { host: '127.0.0.1', port: 0 },
        registry: { port: 0 },
        kafka: { embeddedBrokerCount: 1 },
        pipeline: { embedded: { enabled: false } },
        drift: { evaluateIntervalMs: 100 },
      },
      {},
    );
    const logLines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const service = await startService(config, logger);
    try {
      const watched = (feature: string) => async () =>
        (await fetch(`${service.httpUrl}/api/v1/drift/${topic}/${feature}`)).status === 200;
      await poll(watched('good'), 'the good reference to be watched');
      const list = (await (await fetch(`${service.httpUrl}/api/v1/references`)).json()) as {
        references: { feature: string }[];
        invalid: { feature: string; version: number }[];
      };
      assert.deepEqual(
        list.invalid.map((r) => [r.feature, r.version]),
        [['p', 1]],
        'the API lists the skipped row',
      );
      assert.deepEqual(
        list.references.map((r) => r.feature),
        ['good'],
      );
      const registered = await fetch(`${service.httpUrl}/api/v1/references`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic, feature: 'later', values: [1, 2, 3, 4] }),
      });
      assert.equal(registered.status, 201);
      await poll(watched('later'), 'a reference registered after start to be watched');
      assert.equal(
        (await fetch(`${service.httpUrl}/api/v1/drift/${topic}/p`)).status,
        404,
        'the invalid one is not watched',
      );
      // Skipped, but never silently: one log line with topic, feature, version and the reason.
      const named = logLines.filter(
        (l) =>
          l.msg === 'drift reference is invalid and skipped' &&
          l.topic === 'features.transactions' &&
          l.feature === 'p' &&
          l.version === 1 &&
          /reference\.edges\[0\]/.test(String(l.error)),
      );
      assert.equal(named.length, 1, JSON.stringify(logLines));
    } finally {
      await service.stop();
    }
  });
});
