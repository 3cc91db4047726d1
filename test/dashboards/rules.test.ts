import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseConfig, watchedPipelines } from '../../config/index.js';
import { stringify } from 'yaml';
import { defaultRules, prometheusRuleFileText, RuleEngine, type Rule } from '../../rules/index.js';
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

/** Series sampled once a minute from 0: what promtool reads and what pipewatch's engine reads. */
const sameInput = [
  {
    name: 'pipewatch_schema_violations_total',
    labels: { topic: 'raw.transactions', kind: 'malformed' },
    values: [7, 7, 7, 7, 7, 7, 8, 9, 9],
  },
  {
    name: 'pipewatch_schema_violations_total',
    labels: { topic: 'unwatched.topic', kind: 'malformed' },
    values: [0, 0, 0, 0, 0, 0, 0, 1, 3],
  },
  {
    name: 'pipewatch_feature_drift_detected',
    labels: { topic: 'features.transactions', feature: 'amount_usd', window: '1h' },
    values: [0, 0, 0, 1, 1, 1, 1, 1, 1],
  },
  {
    name: 'pipewatch_feature_drift_detected',
    labels: { topic: 'unwatched.topic', feature: 'amount_usd', window: '5m' },
    values: [1, 1, 1, 1, 1, 1, 1, 1, 1],
  },
  {
    name: 'pipewatch_feature_drift_detected',
    labels: { topic: 'features.payments', feature: 'fee', window: '1h' },
    values: [0, 0, 1, 1, 1, 1, 1, 1, 1],
  },
] as const;
const enrichedRules = ['SchemaViolations', 'FeatureDriftDetected'];

/**
 * pipewatch's own engine over `sameInput`, and a promtool test (against `ruleFile`) that expects
 * exactly the alerts the engine has firing at the last minute, labels and annotations.
 */
function engineAsPromtoolTest(rules: readonly Rule[], ruleFile: string): string {
  const engine = new RuleEngine(rules.filter((r) => enrichedRules.includes(r.alert)));
  const t0 = 1_800_000_000_000;
  const minutes = sameInput[0].values.length;
  for (let m = 0; m < minutes; m++) {
    const atMs = t0 + m * 60_000;
    const readings = sameInput.map((s) => ({
      name: s.name,
      labels: s.labels,
      value: s.values[m]!,
      atMs,
    }));
    engine.evaluate(readings, atMs);
  }
  const firing = engine.alerts().filter((a) => a.status === 'firing');
  return stringify({
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: sameInput.map((s) => ({
          series: `${s.name}{${Object.entries(s.labels)
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join(',')}}`,
          values: s.values.join(' '),
        })),
        alert_rule_test: enrichedRules.map((alertname) => ({
          eval_time: `${minutes - 1}m`,
          alertname,
          exp_alerts: firing
            .filter((a) => a.rule === alertname)
            .map((a) => ({
              exp_labels: Object.fromEntries(
                Object.entries(a.labels).filter(([k]) => k !== 'alertname'),
              ),
              exp_annotations: a.annotations,
            })),
        })),
      },
    ],
  });
}

describe("exported drift and schema alerts: the labels of pipewatch's own (enrich → label_replace)", () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  const config = parseConfig({}, {});
  const pipelines = watchedPipelines(config);
  const rules = defaultRules(pipelines);

  it('the engine adds pipeline to watched topics only (the truth the export is held to)', () => {
    const engine = new RuleEngine(rules.filter((r) => enrichedRules.includes(r.alert)));
    const atMs = 1_800_000_000_000;
    engine.evaluate(
      sameInput.map((s) => ({ name: s.name, labels: s.labels, value: s.values.at(-1)!, atMs })),
      atMs,
    );
    const byTopic = engine
      .alerts()
      .filter((a) => a.rule === 'FeatureDriftDetected')
      .map((a) => [a.labels.topic, a.labels.pipeline])
      .sort();
    assert.deepEqual(byTopic, [
      ['features.payments', undefined],
      ['features.transactions', 'transactions'],
      ['unwatched.topic', undefined],
    ]);
  });

  it(
    "promtool: the same input gives the exported alerts the engine's labels and annotations",
    { skip },
    () => {
      writeFileSync(
        join(tmp.dir, 'same.test.yml'),
        engineAsPromtoolTest(rules, resolve(rulesDir, 'pipewatch-defaults.yml')),
      );
      const r = spawnSync('promtool', ['test', 'rules', 'same.test.yml'], {
        cwd: tmp.dir,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /SUCCESS/);
    },
  );

  it(
    'promtool: the same holds with two pipelines (each topic gets its own pipeline)',
    { skip },
    () => {
      const two = watchedPipelines(
        parseConfig(
          {
            pipelines: [
              {
                name: 'transactions',
                rawTopics: ['raw.transactions'],
                featureTopics: ['features.transactions'],
              },
              {
                name: 'payments',
                rawTopics: ['raw.payments'],
                featureTopics: ['features.payments'],
              },
            ],
          },
          {},
        ),
      );
      const twoRules = defaultRules(two);
      writeFileSync(
        join(tmp.dir, 'two.yml'),
        prometheusRuleFileText(
          twoRules,
          two.map((p) => p.name),
        ),
      );
      const test = engineAsPromtoolTest(twoRules, join(tmp.dir, 'two.yml'));
      assert.match(test, /pipeline: payments/);
      writeFileSync(join(tmp.dir, 'two.test.yml'), test);
      const r = spawnSync('promtool', ['test', 'rules', 'two.test.yml'], {
        cwd: tmp.dir,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    },
  );

  it(
    'promtool: an export without the enrich join fails that test (the test can fail)',
    { skip },
    () => {
      const bare = rules.map((rule) => ({ ...rule, enrich: undefined }));
      writeFileSync(
        join(tmp.dir, 'bare.yml'),
        prometheusRuleFileText(
          bare,
          pipelines.map((p) => p.name),
        ),
      );
      writeFileSync(
        join(tmp.dir, 'bare.test.yml'),
        engineAsPromtoolTest(rules, join(tmp.dir, 'bare.yml')),
      );
      const r = spawnSync('promtool', ['test', 'rules', 'bare.test.yml'], {
        cwd: tmp.dir,
        encoding: 'utf8',
      });
      assert.notEqual(r.status, 0);
      assert.match(r.stdout + r.stderr, /pipeline="transactions"/);
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
