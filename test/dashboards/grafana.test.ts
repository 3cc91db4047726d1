import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { buildDashboards, datasource } from '../../dashboards/grafana/src/index.js';
import { dashboardExpressions, substituteVariables } from '../support/dashboards.js';

const folder = join(import.meta.dirname, '..', '..', 'dashboards', 'grafana', 'dashboards');

describe('Grafana dashboards (generated from dashboards/grafana/src)', () => {
  it('the committed JSON is what the generator writes (run scripts/build-dashboards.ts)', () => {
    const built = buildDashboards();
    assert.deepEqual(
      readdirSync(folder)
        .filter((f) => f.endsWith('.json'))
        .sort(),
      built.map((b) => b.file).sort(),
    );
    for (const { file, json } of built) {
      assert.equal(
        readFileSync(join(folder, file), 'utf8'),
        json,
        `${file} is stale: node --import tsx scripts/build-dashboards.ts`,
      );
    }
  });

  it('has fixed unique uids, id null, and every query on the pinned datasource uid', () => {
    const uids = new Set<string>();
    for (const { file, json } of buildDashboards()) {
      assert.doesNotMatch(json, /\$\{DS_/, `${file} uses an import-time datasource variable`);
      const d = JSON.parse(json) as {
        uid: string;
        id: unknown;
        panels: {
          title: string;
          datasource?: { uid: string };
          targets?: { datasource?: { uid: string } }[];
        }[];
      };
      assert.equal(d.id, null, file);
      assert.match(d.uid, /^pipewatch-[a-z-]+$/, file);
      assert.ok(!uids.has(d.uid), `uid ${d.uid} twice`);
      uids.add(d.uid);
      assert.ok(d.panels.length >= 6, `${file} has ${d.panels.length} panels`);
      for (const p of d.panels) {
        assert.equal(p.datasource?.uid, datasource.uid, `${file} / ${p.title}`);
        assert.ok((p.targets ?? []).length > 0, `${file} / ${p.title} has no query`);
        for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, datasource.uid, p.title);
      }
    }
    assert.deepEqual([...uids].sort(), [
      'pipewatch-dlq-schemas',
      'pipewatch-drift',
      'pipewatch-freshness',
    ]);
  });

  it('provisioning points Grafana at the folder the dashboards are in', () => {
    const provider = parseYaml(
      readFileSync(join(folder, '..', 'provisioning', 'dashboards', 'pipewatch.yaml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    const datasources = parseYaml(
      readFileSync(join(folder, '..', 'provisioning', 'datasources', 'prometheus.yaml'), 'utf8'),
    ) as { datasources: { uid: string }[] };
    assert.equal(datasources.datasources[0]?.uid, datasource.uid);
    const path = provider.providers[0]?.options.path;
    const compose = readFileSync(join(folder, '..', '..', '..', 'docker-compose.yml'), 'utf8');
    assert.ok(
      compose.includes(`./dashboards/grafana/dashboards:${path}`),
      `docker-compose.yml mounts ./dashboards/grafana/dashboards at ${path}`,
    );
  });

  it('every panel expression and variable query is valid PromQL for promtool', () => {
    const exprs = dashboardExpressions();
    assert.ok(exprs.length >= 25, `found ${exprs.length} expressions`);
    const rules = {
      groups: [
        {
          name: 'dashboard-expressions',
          rules: exprs.map((e, i) => ({
            record: `dashboard:expr_${i}`,
            expr: substituteVariables(e.expr),
          })),
        },
      ],
    };
    const dir = mkdtempSync(join(tmpdir(), 'pipewatch-dash-'));
    const file = join(dir, 'exprs.yml');
    writeFileSync(file, JSON.stringify(rules));
    const run = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(
      run.error,
      undefined,
      'promtool not found: bash scripts/setup.sh --test installs it',
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  });
});
