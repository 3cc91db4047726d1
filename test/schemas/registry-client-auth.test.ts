// The one registry client with basic auth, against a real HTTP server that requires it: the
// embedded registry behind a node:http gate that answers 401 unless the Authorization header
// carries the expected credentials, and forwards everything else. Every caller goes through the
// same client: the wire decoder's view, the pipeline's Avro codec and the CI gate.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startRegistryServer, type RunningRegistryServer } from '../../api/index.js';
import { createRegistryHttp } from '../../collector/index.js';
import { isPipewatchError } from '../../common/index.js';
import { externalRegistryUrl, parseConfig } from '../../config/index.js';
import { avroCodec } from '../../pipeline/index.js';
import {
  createRegistryClient,
  engineCompatibilityChecker,
  redactRegistryUrl,
} from '../../schemas/index.js';
import { memorySchemaRegistryStore } from '../../store/index.js';
import { startRegistryAuthGate, type RegistryAuthGate } from '../support/registry-auth-gate.js';

const username = 'ci-key';
const password = 'p@ss:w/rd secret';
const schema = JSON.stringify({
  type: 'record',
  name: 'T',
  fields: [{ name: 'a', type: 'long' }],
});

const unauthorized = (error: unknown) => {
  assert.ok(isPipewatchError(error));
  assert.equal(error.code, 'SCHEMA_REGISTRY_UNAVAILABLE');
  assert.equal(error.details.status, 401);
  assert.ok(!error.message.includes(password), 'the password is never in a message');
  assert.ok(!JSON.stringify(error.details).includes(password));
  return true;
};

describe('schema registry client: basic auth, one client for every caller', () => {
  let registry: RunningRegistryServer;
  let gate: RegistryAuthGate;
  let gateUrl = '';
  let withUserInfo = '';
  let schemaId = 0;

  before(async () => {
    registry = await startRegistryServer({
      store: memorySchemaRegistryStore(),
      checker: engineCompatibilityChecker,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
    });
    schemaId = registry.registry.register('t-value', { schema }).id;
    gate = await startRegistryAuthGate(registry.url, { username, password });
    gateUrl = gate.url;
    withUserInfo = gate.urlWithCredentials;
  });
  after(async () => {
    await gate.close();
    await registry.close();
  });

  it('without credentials the gate answers 401 and the client says credentials are needed', async () => {
    const before = gate.refused();
    const client = createRegistryClient({ url: gateUrl });
    await assert.rejects(client.schemaById(schemaId), (error: unknown) => {
      unauthorized(error);
      assert.match((error as Error).message, /needs credentials \(HTTP 401/);
      return true;
    });
    assert.equal(gate.refused(), before + 1, 'the request reached the gate and was refused');
  });

  it('with wrong credentials it says they were rejected, without showing them', async () => {
    const client = createRegistryClient({
      url: gateUrl,
      basicAuth: { username, password: `${password}x` },
    });
    await assert.rejects(client.latestVersion('t-value'), (error: unknown) => {
      unauthorized(error);
      assert.match((error as Error).message, /rejected the credentials/);
      return true;
    });
  });

  it('with basicAuth: reads, registers and tests compatibility through the gate', async () => {
    const client = createRegistryClient({ url: gateUrl, basicAuth: { username, password } });
    assert.deepEqual(await client.schemaById(schemaId), { schema, schemaType: 'AVRO' });
    assert.deepEqual(await client.versionNumbers('t-value'), [1]);
    assert.equal(await client.versionNumbers('nobody-value'), undefined);
    assert.deepEqual(await client.subjects(), ['t-value']);
    const again = await client.register('t-value', schema);
    assert.equal(again.id, schemaId, 'the same schema keeps its id');
    assert.equal((await client.testCompatibility('t-value', 'latest', schema))?.compatible, true);
  });

  it('with user-info in the URL: the credentials become the header and leave the URL', async () => {
    const client = createRegistryClient({ url: withUserInfo });
    assert.equal(client.url, gateUrl);
    assert.equal((await client.latestVersion('t-value'))?.id, schemaId);
    assert.equal(redactRegistryUrl(withUserInfo), gateUrl);
  });

  it("the wire decoder's client and the pipeline's codec work through the gate", async () => {
    const wire = createRegistryHttp({ url: withUserInfo });
    assert.equal((await wire.schemaById(schemaId))?.schema, schema);
    const codec = avroCodec({
      registryUrl: withUserInfo,
      rawTopic: 'auth.raw',
      featuresTopic: 'auth.f',
    });
    await codec.prepare(['transaction']);
    assert.ok(
      (await createRegistryClient({ url: withUserInfo }).versionNumbers('auth.raw-value'))
        ?.length === 1,
    );
    const refusing = avroCodec({
      registryUrl: gateUrl,
      rawTopic: 'auth.raw',
      featuresTopic: 'auth.f',
    });
    await assert.rejects(refusing.prepare(['transaction']), /needs credentials/);
  });

  it('config: registry.basicAuth with a password file becomes the URL every client takes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-auth-'));
    const file = join(dir, 'password');
    writeFileSync(file, `${password}\n`);
    const config = parseConfig(
      {},
      {
        PIPEWATCH_REGISTRY_URL: gateUrl,
        PIPEWATCH_REGISTRY_USERNAME: username,
        PIPEWATCH_REGISTRY_PASSWORD_FILE: file,
      },
    );
    const url = externalRegistryUrl(config)!;
    const client = createRegistryClient({ url });
    assert.equal(client.url, gateUrl);
    return client.latestVersion('t-value').then((latest) => assert.equal(latest?.id, schemaId));
  });

  it('config: a password given both ways, or a password without a user, is refused naming the key', () => {
    assert.throws(
      () =>
        parseConfig(
          { registry: { url: gateUrl, basicAuth: { username, password, passwordFile: '/x' } } },
          {},
        ),
      /registry\.basicAuth: give exactly one of password and passwordFile/,
    );
    assert.throws(
      () => parseConfig({}, { PIPEWATCH_REGISTRY_PASSWORD: password }),
      /registry\.basicAuth\.username/,
    );
  });

  it('the CI gate takes the credentials from the environment (exit 0 with, exit 2 without)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-auth-'));
    const candidate = join(dir, 't.avsc');
    writeFileSync(candidate, schema);
    const runGate = (env: Record<string, string>) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            'bin/pipewatch.js',
            'schema',
            'check',
            '--candidate',
            candidate,
            '--registry',
            gateUrl,
            '--subject',
            't-value',
          ],
          { env: { PATH: process.env.PATH ?? '', ...env } },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const withAuth = await runGate({
      PIPEWATCH_REGISTRY_USERNAME: username,
      PIPEWATCH_REGISTRY_PASSWORD: password,
    });
    assert.equal(withAuth.code, 0, withAuth.stderr);
    assert.match(withAuth.stdout, /compatible under BACKWARD, checked against t-value version 1/);
    const without = await runGate({});
    assert.equal(without.code, 2);
    assert.match(without.stderr, /needs credentials \(HTTP 401/);
    assert.ok(!withAuth.stderr.includes(password) && !without.stderr.includes(password));
  });
});
