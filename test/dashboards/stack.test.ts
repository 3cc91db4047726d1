import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseConfig } from '../../config/index.js';

interface ComposeService {
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, unknown>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('production stack files', () => {
  it('docker-compose.yml has every service of the production stack', () => {
    for (const name of [
      'kafka',
      'schema-registry',
      'prometheus',
      'alertmanager',
      'grafana',
      'mailpit',
      'pipewatch',
      'pipeline-producer',
      'pipeline-consumer',
    ]) {
      assert.ok(compose.services[name], `service ${name} is missing`);
    }
  });

  it('gives pipewatch containers an environment its config accepts, pointing at compose services', () => {
    const service = compose.services.pipewatch!;
    const config = parseConfig({}, service.environment ?? {});
    const brokerHost = config.kafka.brokers[0]?.split(':')[0];
    assert.ok(brokerHost && compose.services[brokerHost], `broker host ${brokerHost} is a service`);
    const registryHost = new URL(config.registry.url ?? 'http://missing').hostname;
    assert.ok(compose.services[registryHost], `registry host ${registryHost} is a service`);
  });

  it('scrapes pipewatch and the pipeline at services that exist', () => {
    const prometheus = parse(readFileSync('dashboards/prometheus/prometheus.yml', 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((s) =>
      s.static_configs.flatMap((c) => c.targets),
    );
    assert.ok(targets.length >= 3);
    for (const target of targets) {
      const host = target.split(':')[0]!;
      assert.ok(compose.services[host], `scrape target ${target} is not a compose service`);
    }
  });

  it('passes promtool check config and check rules', () => {
    const out = execFileSync(
      'promtool',
      ['check', 'config', 'dashboards/prometheus/prometheus.yml'],
      {
        encoding: 'utf8',
      },
    );
    assert.match(out, /SUCCESS/);
    const rules = execFileSync(
      'sh',
      ['-c', 'promtool check rules dashboards/prometheus/rules/*.yml'],
      { encoding: 'utf8' },
    );
    assert.match(rules, /SUCCESS/);
  });
});
