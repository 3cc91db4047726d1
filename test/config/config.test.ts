import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isPipewatchError } from '../../common/index.js';
import { loadConfig, parseConfig } from '../../config/index.js';

function configError(fn: () => unknown): { code: string; message: string; key: unknown } {
  try {
    fn();
  } catch (error) {
    assert.ok(isPipewatchError(error), `expected a PipewatchError, got ${String(error)}`);
    return { code: error.code, message: error.message, key: error.details.key };
  }
  assert.fail('expected the configuration to be rejected');
}

describe('configuration', () => {
  it('applies documented defaults: embedded Kafka, ports 8080/8081, ./data', () => {
    const config = parseConfig({}, {});
    assert.deepEqual(config.kafka.brokers, []);
    assert.equal(config.http.port, 8080);
    assert.equal(config.registry.port, 8081);
    assert.equal(config.dataDir, './data');
    assert.equal(config.topics.raw, 'raw.transactions');
    assert.equal(config.topics.features, 'features.transactions');
    assert.equal(config.topics.dlq, 'raw.transactions.dlq');
  });

  it('rejects an unknown key, naming its full path', () => {
    const error = configError(() => parseConfig({ http: { prot: 9000 } }, {}));
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.equal(error.key, 'http.prot');
    assert.match(error.message, /unknown key http\.prot/);
  });

  it('rejects a bad value, naming the key and the rule', () => {
    const error = configError(() => parseConfig({ http: { port: 70000 } }, {}));
    assert.equal(error.key, 'http.port');
    assert.match(error.message, /http\.port: Number must be less than or equal to 65535/);
  });

  it('rejects a malformed broker address', () => {
    const error = configError(() => parseConfig({ kafka: { brokers: ['localhost'] } }, {}));
    assert.equal(error.key, 'kafka.brokers.0');
    assert.match(error.message, /expected host:port/);
  });

  it('lets PIPEWATCH_* variables override the file', () => {
    const config = parseConfig(
      { http: { port: 9000 } },
      {
        PIPEWATCH_KAFKA_BROKERS: 'k1:9092, k2:9092',
        PIPEWATCH_HTTP_PORT: '9100',
        PIPEWATCH_REGISTRY_URL: 'http://registry:8081',
        PIPEWATCH_DATA_DIR: '/var/lib/pipewatch',
        PIPEWATCH_REGISTRY_PORT: '9181',
      },
    );
    assert.deepEqual(config.kafka.brokers, ['k1:9092', 'k2:9092']);
    assert.equal(config.http.port, 9100);
    assert.equal(config.registry.port, 9181);
    assert.equal(config.registry.url, 'http://registry:8081');
    assert.equal(config.dataDir, '/var/lib/pipewatch');
  });

  it('names the environment variable behind a bad value', () => {
    const error = configError(() => parseConfig({}, { PIPEWATCH_HTTP_PORT: 'eighty' }));
    assert.equal(error.key, 'http.port');
    assert.match(error.message, /from PIPEWATCH_HTTP_PORT/);
  });

  it('rejects an unknown PIPEWATCH_ variable but ignores the test suite ones', () => {
    const error = configError(() => parseConfig({}, { PIPEWATCH_HTTP_PROT: '1' }));
    assert.equal(error.key, 'PIPEWATCH_HTTP_PROT');
    assert.doesNotThrow(() => parseConfig({}, { PIPEWATCH_TEST_BROKERS: 'x:1' }));
  });

  it('freezes the result, deeply', () => {
    const config = parseConfig({}, {});
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.kafka));
    assert.ok(Object.isFrozen(config.kafka.brokers));
    assert.throws(() => {
      (config.http as { port: number }).port = 1;
    }, TypeError);
  });

  it('reads YAML files and reports unreadable or invalid ones by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-config-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'http:\n  port: 9200\nlogLevel: warn\n');
    assert.equal(loadConfig(good, {}).http.port, 9200);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'http: [unclosed\n');
    const yamlError = configError(() => loadConfig(bad, {}));
    assert.equal(yamlError.code, 'CONFIG_FILE_UNREADABLE');
    assert.ok(yamlError.message.includes(bad));

    const missing = join(dir, 'missing.yaml');
    assert.equal(configError(() => loadConfig(missing, {})).code, 'CONFIG_FILE_UNREADABLE');

    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n');
    assert.match(configError(() => loadConfig(list, {})).message, /top level must be a mapping/);
  });
});
