import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import {
  createMetricsRegistry,
  pipewatchApp,
  startRegistryServer,
  type RunningRegistryServer,
} from '../../api/index.js';
import { parseConfig } from '../../config/index.js';
import { engineCompatibilityChecker } from '../../schemas/index.js';
import { openDatabase, sqliteReferenceStore, type SqliteDatabase } from '../../store/index.js';
import { runCli } from '../support/cli.js';

const token = 'test-token-0123456789abcdef';
const reference = { topic: 'features.tx', feature: 'amount', values: [1, 2, 3, 4, 5, 6, 7, 8] };

describe('API authentication (http.auth.tokens / PIPEWATCH_API_TOKEN)', () => {
  let dir: string;
  let db: SqliteDatabase;
  const apps: FastifyInstance[] = [];
  let registry: RunningRegistryServer;

  async function app(readRequiresToken: boolean): Promise<FastifyInstance> {
    const a = Fastify();
    await a.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      referenceStore: sqliteReferenceStore(db),
      auth: { tokens: [token], readRequiresToken },
    });
    apps.push(a);
    return a;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-auth-'));
    db = openDatabase(join(dir, 'pipewatch.sqlite'));
    registry = await startRegistryServer({
      db,
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      auth: { tokens: [token], readRequiresToken: false },
    });
  });
  after(async () => {
    for (const a of apps) await a.close();
    await registry.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write without a token or with a wrong one is 401 and writes nothing; the right one passes', async () => {
    const a = await app(false);
    const none = await a.inject({ method: 'POST', url: '/api/v1/references', payload: reference });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json<{ error: { code: string } }>().error.code, 'UNAUTHENTICATED');
    assert.match(String(none.headers['www-authenticate']), /^Bearer /);
    for (const authorization of [
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      'Basic',
      token,
    ]) {
      const wrong = await a.inject({
        method: 'POST',
        url: '/api/v1/references',
        payload: reference,
        headers: { authorization },
      });
      assert.equal(wrong.statusCode, 401, authorization);
    }
    assert.equal(sqliteReferenceStore(db).list().length, 0, 'nothing was written');
    const ok = await a.inject({
      method: 'POST',
      url: '/api/v1/references',
      payload: reference,
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    const del = await a.inject({ method: 'DELETE', url: '/api/v1/references/features.tx/amount' });
    assert.equal(del.statusCode, 401, 'DELETE is a write');
  });

  it('reads stay open unless readRequiresToken; probes are always open', async () => {
    const open = await app(false);
    assert.equal((await open.inject({ method: 'GET', url: '/api/v1/references' })).statusCode, 200);
    const closed = await app(true);
    assert.equal(
      (await closed.inject({ method: 'GET', url: '/api/v1/references' })).statusCode,
      401,
    );
    assert.equal((await closed.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await closed.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    const withToken = await closed.inject({
      method: 'GET',
      url: '/api/v1/references',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(withToken.statusCode, 200);
  });

  it('the embedded registry: writes need the token (bearer or basic-auth password), Confluent error body', async () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'T',
      fields: [{ name: 'a', type: 'int' }],
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${registry.url}/subjects/t-value/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers },
        body: JSON.stringify({ schema }),
      });
    const none = await post({});
    assert.equal(none.status, 401);
    assert.deepEqual(Object.keys((await none.json()) as object).sort(), ['error_code', 'message']);
    const basic = Buffer.from(`anyone:${token}`).toString('base64');
    const ok = await post({ authorization: `Basic ${basic}` });
    assert.equal(ok.status, 200, await ok.text());
    const read = await fetch(`${registry.url}/subjects`);
    assert.deepEqual(await read.json(), ['t-value']);
  });

  it('PIPEWATCH_API_TOKEN sets the tokens; a short token stops start-up naming the key', () => {
    const config = parseConfig({}, { PIPEWATCH_API_TOKEN: `${token},other-token-0123456789` });
    assert.deepEqual(config.http.auth.tokens, [token, 'other-token-0123456789']);
    assert.throws(
      () => parseConfig({}, { PIPEWATCH_API_TOKEN: 'short' }),
      /http\.auth\.tokens\.0: an API token has at least 16 characters \(from PIPEWATCH_API_TOKEN\)/,
    );
  });

  it('the CLI sends PIPEWATCH_API_TOKEN as its bearer token', async () => {
    const a = await app(true);
    const url = await a.listen({ host: '127.0.0.1', port: 0 });
    const denied = await runCli(['references', 'list', '--api', url]);
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(denied.stderr, /UNAUTHENTICATED/);
    const allowed = await runCli(['references', 'list', '--api', url], {
      PIPEWATCH_API_TOKEN: token,
    });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /features\.tx/);
  });
});
