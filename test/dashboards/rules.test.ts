import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig, watchedPipelines } from '../../config/index.js';
import { defaultRules, prometheusRuleFileText } from '../../rules/index.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../alerts/support.js';

const rulesDir = 'dashboards/prometheus/rules';
const promtool = spawnSync('promtool', ['--version']).status === 0;
const skip = promtool ? false : 'promtool not installed (bash scripts/setup.sh --test installs it)';

describe('exported Prometheus rules (dashboards/prometheus/rules)', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('the committed file is what `pipewatch rules export` writes for the default config', () => {
    const config = parseConfig({}, {});
    const pipelines = watchedPipelines(config);
    const expected = prometheusRuleFileText(
      defaultRules(pipelines),
      pipelines.map((p) => p.name),
    );
    assert.equal(readFileSync(join(rulesDir, 'pipewatch-defaults.yml'), 'utf8'), expected);
  });

  it('passes promtool check rules', { skip }, () => {
    const out = execFileSync('sh', ['-c', `promtool check rules ${rulesDir}/*.yml`], {
      encoding: 'utf8',
    });
    assert.match(out, /SUCCESS: 11 rules found/);
  });

  it(
    'passes promtool test rules (0.2 %, 0.05 %, label mismatch, idle source, absence, counters, first DLQ record)',
    { skip },
    () => {
      const r = spawnSync('promtool', ['test', 'rules', 'tests/pipewatch-defaults.test.yml'], {
        cwd: rulesDir,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /SUCCESS/);
    },
  );

  it(
    'promtool test rules fails on a ratio without the label join (the test can fail)',
    { skip },
    () => {
      // The same tests against a naive ratio (`/` without `on (source_topic)` and with topic≠source_topic)
      // must fail: proof that the label-mismatch case is exercised.
      const naive = readFileSync(join(rulesDir, 'pipewatch-defaults.yml'), 'utf8').replace(
        /expr: sum by \(pipeline, source_topic\) \(pipewatch:dlq_records:rate5m\).*/,
        'expr: sum by (pipeline, source_topic) (rate(pipewatch_dlq_records_total[5m])) / sum by (topic) (rate(pipewatch_topic_records_total[5m]))',
      );
      writeFileSync(join(tmp.dir, 'pipewatch-defaults.yml'), naive);
      const tests = readFileSync(
        join(rulesDir, 'tests/pipewatch-defaults.test.yml'),
        'utf8',
      ).replace('../pipewatch-defaults.yml', 'pipewatch-defaults.yml');
      writeFileSync(join(tmp.dir, 'tests.yml'), tests);
      const r = spawnSync('promtool', ['test', 'rules', 'tests.yml'], {
        cwd: tmp.dir,
        encoding: 'utf8',
      });
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /DLQRatioHigh/);
    },
  );
});

describe('pipewatch rules check / export', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('check: exit 0 on a valid file, 1 naming the rule and the field on a bad one', async () => {
    const good = join(tmp.dir, 'good.yaml');
    writeFileSync(
      good,
      'rules:\n  - alert: LagHigh\n    metric: pipewatch_consumer_group_lag_seconds\n    threshold: 300\n    for: 5m\n',
    );
    const ok = await runCli(['rules', 'check', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /1 rule OK/);
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      bad,
      'rules:\n  - alert: LagHigh\n    metric: m\n    threshold: 300\n    for: 5 minutes\n',
    );
    const r = await runCli(['rules', 'check', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.yaml: rules\[0\] LagHigh: field for: expected a duration/);
  });

  it(
    'export: includes file rules next to the defaults and passes promtool check rules',
    { skip },
    async () => {
      const extra = join(tmp.dir, 'extra.yaml');
      writeFileSync(
        extra,
        'rules:\n  - alert: LagHigh\n    metric: pipewatch_consumer_group_lag_seconds\n    matchers: [\'method="exact"\']\n    threshold: 300\n',
      );
      const out = join(tmp.dir, 'exported.yml');
      const r = await runCli(['rules', 'export', '--rules', extra, '--output', out]);
      assert.equal(r.code, 0, r.stderr);
      const text = readFileSync(out, 'utf8');
      assert.match(text, /expr: pipewatch_consumer_group_lag_seconds\{method="exact"\} > 300/);
      assert.match(
        execFileSync('promtool', ['check', 'rules', out], { encoding: 'utf8' }),
        /SUCCESS: 12 rules/,
      );
    },
  );
});
