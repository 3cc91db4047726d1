import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  defaultRules,
  fingerprint,
  parseRule,
  parseRuleFile,
  RuleEngine,
  stepAlerts,
  type ActiveSample,
  type AlertState,
  type PipelineSpec,
  type RuleReading,
} from '../../rules/index.js';
import { isPipewatchError } from '../../common/index.js';

const pipeline: PipelineSpec = {
  name: 'transactions',
  rawTopics: ['raw.transactions'],
  featureTopics: ['features.transactions'],
  dlqTopics: ['raw.transactions.dlq'],
  groups: ['pipewatch-features'],
  freshnessTargetSeconds: 60,
};
const t0 = 1_700_000_000_000;
const dlq = (value: number, atMs = t0): RuleReading => ({
  name: 'pipewatch_dlq_ratio',
  labels: { pipeline: 'transactions', source_topic: 'raw.transactions', window: '5m' },
  value,
  atMs,
});
const freshness = (seconds: number, atMs = t0): RuleReading => ({
  name: 'pipewatch_pipeline_freshness_seconds',
  labels: { pipeline: 'transactions' },
  value: seconds,
  atMs,
});

function expectRuleError(fn: () => unknown, rule: string | null, field: string): void {
  assert.throws(fn, (e) => {
    assert.ok(isPipewatchError(e), String(e));
    assert.equal(e.code, 'RULE_INVALID');
    assert.equal(e.details.rule, rule);
    assert.equal(e.details.field, field);
    if (rule) assert.match(e.message, new RegExp(rule));
    assert.match(e.message, new RegExp(field.replace('.', '\\.')));
    return true;
  });
}

describe('fingerprint', () => {
  it("equals Prometheus' model fingerprint (constant from prometheus/common signature_test.go)", () => {
    const fp = fingerprint({ name: 'garland, briggs', fear: 'love is not enough' });
    assert.equal(BigInt(`0x${fp}`), 5799056148416392346n);
    assert.equal(fingerprint({}), 'cbf29ce484222325'); // emptyLabelSignature = FNV offset basis
  });
  it('does not depend on label order', () => {
    assert.equal(fingerprint({ a: '1', b: '2' }), fingerprint({ b: '2', a: '1' }));
    assert.notEqual(fingerprint({ a: '1', b: '2' }), fingerprint({ a: '12' }));
  });
});

describe('rule validation', () => {
  const good = { alert: 'X', metric: 'pipewatch_dlq_ratio', threshold: 0.1 };
  it('names the rule and the field', () => {
    expectRuleError(() => parseRule({ ...good, threshold: 'high' }), 'X', 'threshold');
    expectRuleError(() => parseRule({ ...good, for: '2 minutes' }), 'X', 'for');
    expectRuleError(() => parseRule({ ...good, matchers: ['window=5m'] }), 'X', 'matchers.0');
    expectRuleError(() => parseRule({ ...good, severity: 'page' }), 'X', 'severity');
    expectRuleError(() => parseRule({ ...good, treshold: 1 }), 'X', 'treshold');
    expectRuleError(() => parseRule({ ...good, kind: 'increase' }), 'X', 'window');
    expectRuleError(() => parseRule({ alert: 'X', metric: 'm' }), 'X', 'threshold');
    expectRuleError(
      () => parseRule({ ...good, annotations: { summary: '{{ $valeu }}' } }),
      'X',
      'annotations.summary',
    );
    expectRuleError(
      () => parseRule({ ...good, labels: { severity: 'x' } }),
      'X',
      'labels.severity',
    );
    expectRuleError(() => parseRule({ metric: 'm', threshold: 1 }), null, 'alert');
  });
  it('rejects duplicate alert names in a file, naming the file', () => {
    assert.throws(
      () => parseRuleFile({ rules: [good, good] }, 'my.yaml'),
      /my\.yaml: rule X: field alert: duplicate/,
    );
    assert.equal(parseRuleFile({ groups: [{ rules: [good] }] }, 'g.yaml').length, 1);
  });
  it('parses durations and matchers the Prometheus way', () => {
    const r = parseRule({ ...good, for: '1h30m', keep_firing_for: 90, matchers: ['a=~"x|y"'] });
    assert.equal(r.forMs, 5_400_000);
    assert.equal(r.keepFiringForMs, 90_000);
    assert.deepEqual(r.matchers, [{ label: 'a', op: '=~', value: 'x|y' }]);
  });
  it('ships valid default rules', () => {
    const names = defaultRules([pipeline]).map((r) => r.alert);
    for (const n of [
      'DLQRatioHigh',
      'PipelineStale',
      'ConsumerGroupUnhealthy',
      'SchemaViolations',
    ]) {
      assert.ok(names.includes(n), n);
    }
  });
});

describe('alert state machine', () => {
  const sample: ActiveSample = {
    fingerprint: 'f',
    rule: 'R',
    severity: 'warning',
    labels: { alertname: 'R' },
    annotations: {},
    value: 1,
    threshold: 0,
  };
  const timing = { forMs: 120_000, keepFiringForMs: 0, resolvedRetentionMs: 900_000 };
  const run = (steps: [number, boolean][], t = timing) => {
    let states = new Map<string, AlertState>();
    const seen: string[] = [];
    for (const [atSec, on] of steps) {
      const s = stepAlerts(states, on ? [sample] : [], t, t0 + atSec * 1000);
      states = s.states;
      for (const tr of s.transitions) seen.push(`${atSec}:${tr.from}->${tr.to}`);
    }
    return { seen, states };
  };
  it('goes inactive → pending → firing after `for`, then resolved', () => {
    const { seen } = run([
      [0, true],
      [60, true],
      [119, true],
      [120, true],
      [180, true],
      [240, false],
    ]);
    assert.deepEqual(seen, ['0:inactive->pending', '120:pending->firing', '240:firing->resolved']);
  });
  it('drops a pending alert that clears before `for` without firing', () => {
    const { seen, states } = run([
      [0, true],
      [60, false],
      [120, true],
    ]);
    assert.deepEqual(seen, [
      '0:inactive->pending',
      '60:pending->inactive',
      '120:inactive->pending',
    ]);
    assert.equal(states.get('f')?.activeAtMs, t0 + 120_000); // the pending clock restarted
  });
  it('fires at once with for: 0 and keeps firing for keep_firing_for', () => {
    const { seen } = run(
      [
        [0, true],
        [30, false],
        [59, false],
        [60, false],
      ],
      { ...timing, forMs: 0, keepFiringForMs: 60_000 },
    );
    assert.deepEqual(seen, ['0:inactive->firing', '60:firing->resolved']);
  });
  it('a resolved alert that comes back starts a new pending period', () => {
    const { seen } = run([
      [0, true],
      [120, true],
      [130, false],
      [140, true],
    ]);
    assert.deepEqual(seen.slice(-1), ['140:resolved->pending']);
  });
});

describe('rule engine over board readings (default rules)', () => {
  const engine = () => new RuleEngine(defaultRules([pipeline]));
  const fired = (e: RuleEngine) =>
    e
      .alerts()
      .filter((a) => a.status === 'firing')
      .map((a) => a.rule)
      .sort();

  it('DLQ ratio 0.2 % fires after 2 m and resolves when it drops; 0.05 % never fires', () => {
    const e = engine();
    e.evaluate([dlq(0.002), freshness(5)], t0);
    e.evaluate([dlq(0.002), freshness(5)], t0 + 60_000);
    assert.deepEqual(fired(e), []);
    const r = e.evaluate([dlq(0.002), freshness(5)], t0 + 120_000);
    assert.deepEqual(fired(e), ['DLQRatioHigh']);
    const alert = r.transitions.find((t) => t.to === 'firing')!.alert;
    assert.equal(alert.labels.source_topic, 'raw.transactions');
    assert.equal(alert.labels.severity, 'critical');
    assert.match(alert.annotations.summary!, /is 0\.2% /);
    assert.match(alert.annotations.description!, /0\.1% threshold/);
    const down = e.evaluate([dlq(0.0005), freshness(5)], t0 + 180_000);
    assert.deepEqual(
      down.transitions.map((t) => t.to),
      ['resolved'],
    );

    const quiet = engine();
    for (let s = 0; s <= 1200; s += 15) {
      const out = quiet.evaluate([dlq(0.0005), freshness(5)], t0 + s * 1000);
      assert.deepEqual(out.transitions, []);
    }
  });

  it('an idle source (no ratio, or NaN) does not hide the outage: PipelineStale fires', () => {
    for (const ratio of [[], [dlq(NaN)]]) {
      const e = engine();
      e.evaluate([...ratio, freshness(90)], t0);
      e.evaluate([...ratio, freshness(150)], t0 + 60_000);
      assert.deepEqual(fired(e), ['PipelineStale']);
      const stale = e.alerts().find((a) => a.rule === 'PipelineStale')!;
      assert.equal(stale.threshold, 60);
      assert.equal(stale.labels.pipeline, 'transactions');
    }
  });

  it('freshness within the target and other pipelines without a target do not fire', () => {
    const e = engine();
    const other: RuleReading = { ...freshness(10_000), labels: { pipeline: 'unknown' } };
    for (const s of [0, 60, 120]) e.evaluate([freshness(59), other], t0 + s * 1000);
    assert.deepEqual(fired(e), []);
  });

  it('consumer group STOP/STALL/DATA_LOSS fire, OK and WARN do not', () => {
    const e = engine();
    const status = (group: string, s: string, v: number): RuleReading => ({
      name: 'pipewatch_consumer_group_status',
      labels: { pipeline: 'transactions', group, status: s },
      value: v,
      atMs: t0,
    });
    const rs = [
      status('a', 'STOP', 1),
      status('a', 'OK', 0),
      status('b', 'WARN', 1),
      status('c', 'DATA_LOSS', 1),
      status('d', 'STALL', 0),
    ];
    e.evaluate(rs, t0);
    e.evaluate(rs, t0 + 60_000);
    const groups = e
      .alerts()
      .filter((a) => a.status === 'firing')
      .map((a) => `${a.labels.group}:${a.labels.status}`)
      .sort();
    assert.deepEqual(groups, ['a:STOP', 'c:DATA_LOSS']);
  });

  it('schema violations: a counter fires on its increase over 5 m, not on its total', () => {
    const e = engine();
    let nowMs = t0;
    const v = (n: number): RuleReading => ({
      name: 'pipewatch_schema_violations_total',
      labels: { topic: 'raw.transactions', kind: 'malformed' },
      value: n,
      atMs: nowMs,
    });
    const at = (ms: number) => (nowMs = t0 + ms);
    e.evaluate([v(40)], at(0)); // a total from before we watched: no increase known
    at(60_000);
    e.evaluate([v(40)], nowMs);
    assert.deepEqual(fired(e), []);
    at(120_000);
    e.evaluate([v(43)], nowMs);
    const a = e.alerts().find((x) => x.rule === 'SchemaViolations')!;
    assert.equal(a.status, 'firing');
    assert.equal(a.value, 3);
    assert.equal(a.labels.pipeline, 'transactions'); // enriched from the topic
    for (let s = 180; s <= 360; s += 60) {
      at(s * 1000);
      e.evaluate([v(43)], nowMs);
    }
    assert.equal(e.alerts().find((x) => x.rule === 'SchemaViolations')?.status, 'firing');
    at(420_000);
    e.evaluate([v(43)], nowMs); // 5 m after the rise was seen: out of the window
    assert.equal(e.alerts().find((x) => x.rule === 'SchemaViolations')?.status, 'resolved');
  });

  it('a counter born while we watch counts from 0; a reset counts as a restart', () => {
    const e = engine();
    const c = (n: number): RuleReading => ({
      name: 'pipewatch_collector_errors_total',
      labels: { collector: 'offsets' },
      value: n,
      atMs: t0,
    });
    e.evaluate([], t0);
    e.evaluate([c(1)], t0 + 15_000);
    assert.equal(e.alerts().find((x) => x.rule === 'CollectorErrors')?.value, 1);
    e.evaluate([c(2)], t0 + 30_000);
    e.evaluate([c(1)], t0 + 45_000); // reset: 0 → 1 after 2
    assert.equal(e.alerts().find((x) => x.rule === 'CollectorErrors')?.value, 3);
  });

  it('feature drift detected fires per feature with its pipeline', () => {
    const e = engine();
    e.evaluate(
      [
        {
          name: 'pipewatch_feature_drift_detected',
          labels: { topic: 'features.transactions', feature: 'amount', window: '1h' },
          value: 1,
          atMs: t0,
        },
        {
          name: 'pipewatch_feature_drift_detected',
          labels: { topic: 'features.transactions', feature: 'channel', window: '1h' },
          value: 0,
          atMs: t0,
        },
      ],
      t0,
    );
    const a = e.alerts().filter((x) => x.status === 'firing');
    assert.deepEqual(
      a.map((x) => [x.rule, x.labels.feature, x.labels.pipeline]),
      [['FeatureDriftDetected', 'amount', 'transactions']],
    );
  });

  it('label matchers: =, !=, =~ (anchored), !~', () => {
    const mk = (matchers: string[]) =>
      new RuleEngine([parseRule({ alert: 'M', metric: 'm', matchers, threshold: 0 })]);
    const rs: RuleReading[] = ['abc', 'ab', 'x'].map((t) => ({
      name: 'm',
      labels: { t },
      value: 1,
      atMs: t0,
    }));
    const hit = (matchers: string[]) =>
      mk(matchers)
        .evaluate(rs, t0)
        .alerts.map((a) => a.labels.t)
        .sort();
    assert.deepEqual(hit(['t="ab"']), ['ab']);
    assert.deepEqual(hit(['t!="ab"']), ['abc', 'x']);
    assert.deepEqual(hit(['t=~"ab"']), ['ab']);
    assert.deepEqual(hit(['t=~"ab.*"']), ['ab', 'abc']);
    assert.deepEqual(hit(['t!~"ab.*"']), ['x']);
    assert.deepEqual(hit(['missing=""']), ['ab', 'abc', 'x']);
  });

  it('restored firing alerts do not transition again; a removed rule resolves its alerts', () => {
    const e = engine();
    for (const s of [0, 60, 120]) e.evaluate([dlq(0.002)], t0 + s * 1000);
    const saved = e.alerts();
    const restarted = new RuleEngine(defaultRules([pipeline]), saved);
    assert.deepEqual(restarted.evaluate([dlq(0.003)], t0 + 135_000).transitions, []);
    restarted.setRules([]);
    const out = restarted.evaluate([dlq(0.003)], t0 + 150_000);
    assert.deepEqual(
      out.transitions.map((t) => `${t.alert.rule}:${t.to}`),
      ['DLQRatioHigh:resolved'],
    );
  });

  it('after a restart a firing counter alert holds until a whole window has been watched', () => {
    const e = engine();
    const v = (n: number, atMs: number): RuleReading => ({
      name: 'pipewatch_schema_violations_total',
      labels: { topic: 'raw.transactions', kind: 'malformed' },
      value: n,
      atMs,
    });
    e.evaluate([v(1, t0)], t0);
    e.evaluate([v(5, t0 + 60_000)], t0 + 60_000);
    assert.equal(e.alerts()[0]?.status, 'firing');
    const restarted = new RuleEngine(defaultRules([pipeline]), e.alerts());
    const at = (s: number) => t0 + 60_000 + s * 1000;
    for (const s of [15, 120, 314]) {
      assert.deepEqual(restarted.evaluate([v(5, at(s))], at(s)).transitions, [], `at +${s}s`);
    }
    const out = restarted.evaluate([v(5, at(315))], at(315)); // 5 m after its first evaluation
    assert.deepEqual(
      out.transitions.map((t) => t.to),
      ['resolved'],
    );
  });

  it('readings older than 5 m are absent: a dead runtime does not keep an alert firing', () => {
    const e = engine();
    for (const s of [0, 60, 120]) e.evaluate([dlq(0.002, t0 + s * 1000)], t0 + s * 1000);
    assert.deepEqual(fired(e), ['DLQRatioHigh']);
    e.evaluate([dlq(0.002, t0 + 120_000)], t0 + 120_000 + 299_000);
    assert.deepEqual(fired(e), ['DLQRatioHigh']);
    e.evaluate([dlq(0.002, t0 + 120_000)], t0 + 120_000 + 301_000);
    assert.deepEqual(fired(e), []);
  });
});
