import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { openDatabase, sqliteReferenceStore, type SqliteDatabase } from '../../store/index.js';

const run = promisify(execFile);

/** Runs the real `pipewatch` binary; resolves with its exit code and output. */
async function pipewatch(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/pipewatch.js', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pipewatch references (against a running API)', () => {
  let dir: string;
  let db: SqliteDatabase;
  let server: FastifyInstance;
  let api: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-cli-refs-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    server = Fastify();
    await server.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(db),
      // The Kafka side is tested in test/api/reference-capture; here the CLI's path to it.
      captureReferenceValues: async ({ fromMs, toMs }) => ({
        values: [fromMs, toMs, 3, null],
        method: 'scan-from-log-start',
        recordsRead: 4,
        recordsInRange: 4,
        undecodable: 0,
        invalid: 0,
      }),
    });
    api = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers values from a file, lists, gets and deletes', async () => {
    const values = join(dir, 'amount.txt');
    writeFileSync(values, '10\n9\n8\n7\n6\n5\n4\n3\n2\n1\nnull\n');
    const first = await pipewatch(
      'references',
      'register',
      '--topic',
      'features.tx',
      '--feature',
      'amount',
      '--values',
      values,
      '--bins',
      '4',
      '--api',
      api,
      '--json',
    );
    assert.equal(first.code, 0, first.stderr);
    const stored = JSON.parse(first.stdout) as {
      version: number;
      n: number;
      nullCount: number;
      reference: { edges: number[] };
    };
    assert.equal(stored.version, 1);
    assert.equal(stored.n, 10);
    assert.equal(stored.nullCount, 1);
    assert.deepEqual(stored.reference.edges, [3.25, 5.5, 7.75]); // numpy.quantile
    const inStore = sqliteReferenceStore(db).get('features.tx', 'amount')?.reference;
    assert.ok(inStore?.kind === 'numeric');
    assert.deepEqual(inStore.edges, Float64Array.of(3.25, 5.5, 7.75));

    const categories = join(dir, 'country.txt');
    writeFileSync(categories, 'de\nfr\nde\n');
    const second = await pipewatch(
      'references',
      'register',
      '--topic',
      'raw.tx',
      '--feature',
      'country',
      '--values',
      categories,
      '--kind',
      'categorical',
      '--api',
      api,
    );
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stdout,
      /^registered raw.tx country version 1: categorical from values, n=3/,
    );

    const listed = await pipewatch('references', 'list', '--api', api);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim().split('\n').length, 2);
    assert.match(
      listed.stdout,
      /features.tx amount version 1: numeric from values, n=10, nulls=1, 4 bins/,
    );

    const got = await pipewatch(
      'references',
      'get',
      '--topic',
      'raw.tx',
      '--feature',
      'country',
      '--api',
      api,
    );
    assert.equal(got.code, 0, got.stderr);
    assert.deepEqual(
      (JSON.parse(got.stdout) as { reference: { categories: string[] } }).reference.categories,
      ['de', 'fr'],
    );

    const deleted = await pipewatch(
      'references',
      'delete',
      '--topic',
      'raw.tx',
      '--feature',
      'country',
      '--version',
      '1',
      '--api',
      api,
    );
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /deleted 1 version/);
    const gone = await pipewatch(
      'references',
      'get',
      '--topic',
      'raw.tx',
      '--feature',
      'country',
      '--api',
      api,
    );
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /NOT_FOUND/);
  });

  it('registers a histogram from a JSON file', async () => {
    const file = join(dir, 'latency.json');
    writeFileSync(file, JSON.stringify({ edges: [0, 1, 2, 4], counts: [5, 3, 2] }));
    const result = await pipewatch(
      'references',
      'register',
      '--topic',
      'features.tx',
      '--feature',
      'latency',
      '--histogram',
      file,
      '--api',
      api,
      '--json',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      (JSON.parse(result.stdout) as { reference: { edges: number[] } }).reference.edges,
      [1, 2],
    );
  });

  it('exits 2 with the line at fault for a bad values file, and for a reference the API rejects', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1\n2\nabc\n');
    const local = await pipewatch(
      'references',
      'register',
      '--topic',
      't',
      '--feature',
      'f',
      '--values',
      bad,
      '--api',
      api,
    );
    assert.equal(local.code, 2);
    assert.match(local.stderr, /bad.txt:3: 'abc' is not a finite number/);
    const file = join(dir, 'neg.json');
    writeFileSync(file, JSON.stringify({ edges: [0, 1, 2], counts: [1, -1] }));
    const remote = await pipewatch(
      'references',
      'register',
      '--topic',
      't',
      '--feature',
      'f',
      '--histogram',
      file,
      '--api',
      api,
    );
    assert.equal(remote.code, 2);
    assert.match(remote.stderr, /REFERENCE_INVALID: .*body\/histogram\/counts\/1 must be >= 0/);
  });

  it('asks the service to capture a reference from a topic over a time range', async () => {
    const result = await pipewatch(
      'references',
      'capture',
      '--topic',
      'raw.tx',
      '--feature',
      'amount',
      '--from',
      '2026-01-01T00:00:00Z',
      '--to',
      '1767225600001',
      '--api',
      api,
      '--json',
    );
    assert.equal(result.code, 0, result.stderr);
    const stored = JSON.parse(result.stdout) as {
      source: string;
      n: number;
      nullCount: number;
      details: { fromMs: number; toMs: number };
    };
    assert.equal(stored.source, 'capture');
    assert.equal(stored.n, 3);
    assert.equal(stored.nullCount, 1);
    assert.deepEqual([stored.details.fromMs, stored.details.toMs], [1767225600000, 1767225600001]);
    const bad = await pipewatch(
      'references',
      'capture',
      '--topic',
      't',
      '--feature',
      'f',
      '--from',
      'soon',
      '--to',
      '5',
      '--api',
      api,
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--from must be epoch ms or ISO-8601/);
  });

  it('capture --progress says what it reads and what it stored on stderr; stdout stays the JSON', async () => {
    const args = ['references', 'capture', '--topic', 'raw.tx', '--feature', 'progress'];
    const range = ['--from', '1000', '--to', '2000', '--api', api, '--json'];
    const quiet = await pipewatch(...args, ...range);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.stderr, '', 'no progress when stderr is not a terminal');
    const loud = await pipewatch(...args, ...range, '--progress');
    assert.equal(loud.code, 0, loud.stderr);
    const stored = JSON.parse(loud.stdout) as { version: number; n: number };
    assert.deepEqual(loud.stderr.trim().split('\n'), [
      'capturing raw.tx/progress: reading the topic from 1000 to 2000…',
      `capturing raw.tx/progress: done, ${stored.n} values, version ${stored.version}`,
    ]);
  });

  it('says clearly when no service answers', async () => {
    const result = await pipewatch('references', 'list', '--api', 'http://127.0.0.1:9');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /SERVICE_UNREACHABLE: cannot reach the pipewatch API at http:\/\/127.0.0.1:9/,
    );
  });
});
