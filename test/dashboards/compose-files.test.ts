// docker-compose.yml against the tree and the config defaults: every host path it mounts exists,
// and the containers bind every interface explicitly, since pipewatch's own default is loopback.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../config/index.js';

interface ComposeService {
  volumes?: string[];
  environment?: Record<string, string>;
  build?: unknown;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml against the tree', () => {
  it('mounts only host paths that exist', () => {
    const mounts = Object.entries(compose.services).flatMap(([name, service]) =>
      (service.volumes ?? [])
        .map((v) => v.split(':')[0]!)
        .filter((source) => source.startsWith('.') || source.startsWith('/'))
        .map((source) => ({ name, source })),
    );
    assert.ok(mounts.some((m) => m.source === './dashboards/grafana/dashboards'));
    for (const { name, source } of mounts) {
      assert.ok(existsSync(source), `service ${name} mounts ${source}, which does not exist`);
    }
  });

  it('pipewatch listens on 127.0.0.1 by default and the containers set 0.0.0.0 themselves', () => {
    const defaults = parseConfig({}, {});
    assert.equal(defaults.http.host, '127.0.0.1');
    assert.equal(defaults.registry.host, '127.0.0.1');
    const images = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    assert.ok(images.length >= 3, 'pipewatch, the producer and the consumer');
    for (const [name, service] of images) {
      const config = parseConfig({}, service.environment ?? {});
      assert.equal(config.http.host, '0.0.0.0', `${name} must answer Prometheus on the network`);
    }
  });
});
