import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backoffMs,
  defaultInhibitRules,
  Dispatcher,
  notificationTitle,
  renderEmail,
  webhookPayload,
  type DispatcherOptions,
  type NotifiedAlert,
  type Silence,
} from '../../alerts/index.js';
import { compileMatcher, fingerprint } from '../../rules/index.js';

const t0 = Date.UTC(2026, 0, 5, 12);
const s = 1000;
const options: DispatcherOptions = {
  routes: [],
  defaultReceivers: ['email'],
  groupBy: ['alertname', 'pipeline'],
  groupWaitMs: 30 * s,
  groupIntervalMs: 300 * s,
  repeatIntervalMs: 4 * 3600 * s,
  sendResolved: true,
  sendResolvedWhenSilenced: false,
  inhibitRules: defaultInhibitRules(),
  externalUrl: 'http://pw:8080',
};

function alert(
  labels: Record<string, string>,
  status: 'firing' | 'resolved' = 'firing',
): NotifiedAlert {
  return {
    fingerprint: fingerprint(labels),
    status,
    labels,
    annotations: { summary: `${labels.alertname} on ${labels.source_topic ?? labels.pipeline}` },
    startsAtMs: t0,
    endsAtMs: status === 'resolved' ? t0 + 600 * s : undefined,
    value: 0.002,
    generatorUrl: '',
  };
}
const dlqA = { alertname: 'DLQRatioHigh', pipeline: 'p', source_topic: 'a', severity: 'critical' };
const dlqB = { alertname: 'DLQRatioHigh', pipeline: 'p', source_topic: 'b', severity: 'critical' };
const none = { silences: [], firing: [] };

describe('dispatcher: grouping with Alertmanager timing', () => {
  it('waits group_wait, groups by labels, then waits group_interval for changes', () => {
    const d = new Dispatcher(options);
    d.ingest([alert(dlqA)], t0);
    assert.deepEqual(d.flush(t0 + 29 * s, none), []);
    d.ingest([alert(dlqB)], t0 + 20 * s);
    const first = d.flush(t0 + 30 * s, none);
    assert.equal(first.length, 1);
    assert.equal(first[0]!.notification.alerts.length, 2);
    assert.equal(notificationTitle(first[0]!.notification), '[FIRING:2] DLQRatioHigh p (critical)');
    d.ingest([alert(dlqA, 'resolved')], t0 + 60 * s);
    assert.deepEqual(d.flush(t0 + 200 * s, none), [], 'group_interval not over');
    const second = d.flush(t0 + 330 * s, none);
    assert.equal(second.length, 1);
    assert.deepEqual(
      second[0]!.notification.alerts.map((a) => `${a.labels.source_topic}:${a.status}`).sort(),
      ['a:resolved', 'b:firing'],
    );
    assert.deepEqual(d.flush(t0 + 630 * s, none), [], 'nothing changed: no notification');
    const repeat = d.flush(t0 + 330 * s + 4 * 3600 * s, none);
    assert.equal(repeat.length, 1, 'repeat_interval');
    assert.match(repeat[0]!.dedupeKey, /repeat@/);
  });

  it('dedupe keys are equal for the same state change handed in twice', () => {
    const a = new Dispatcher({ ...options, groupWaitMs: 0 });
    const b = new Dispatcher({ ...options, groupWaitMs: 0 });
    a.ingest([alert(dlqA)], t0);
    b.ingest([alert(dlqA)], t0 + 5 * s);
    assert.equal(a.flush(t0, none)[0]!.dedupeKey, b.flush(t0 + 5 * s, none)[0]!.dedupeKey);
  });

  it('routes by labels (first match, continue) with the default receivers as fallback', () => {
    const d = new Dispatcher({
      ...options,
      defaultReceivers: ['email'],
      routes: [
        {
          matchers: [compileMatcher({ label: 'severity', op: '=', value: 'critical' })],
          receiver: 'pager',
          continue: true,
        },
        {
          matchers: [compileMatcher({ label: 'pipeline', op: '=~', value: 'p|q' })],
          receiver: 'slack',
          continue: false,
        },
      ],
    });
    assert.deepEqual(d.receiversOf(dlqA), ['pager', 'slack']);
    assert.deepEqual(d.receiversOf({ alertname: 'X', severity: 'warning', pipeline: 'z' }), [
      'email',
    ]);
  });
});

describe('dispatcher: silences and inhibition', () => {
  const silence: Silence = {
    id: 's1',
    matchers: [{ label: 'source_topic', op: '=', value: 'a' }],
    startsAtMs: t0,
    endsAtMs: t0 + 3600 * s,
    createdBy: 't',
    comment: '',
  };
  const opts = { ...options, groupWaitMs: 0, groupIntervalMs: 0 };

  it('a silenced alert is not sent, nor its resolved (by default)', () => {
    const d = new Dispatcher(opts);
    d.ingest([alert(dlqA)], t0);
    assert.deepEqual(d.flush(t0, { silences: [silence], firing: [] }), []);
    d.ingest([alert(dlqA, 'resolved')], t0 + 60 * s);
    assert.deepEqual(d.flush(t0 + 60 * s, { silences: [silence], firing: [] }), []);
  });

  it('with sendResolvedWhenSilenced the resolved of a silenced alert is sent', () => {
    const d = new Dispatcher({ ...opts, sendResolvedWhenSilenced: true });
    d.ingest([alert(dlqA)], t0);
    assert.deepEqual(d.flush(t0, { silences: [silence], firing: [] }), []);
    d.ingest([alert(dlqA, 'resolved')], t0 + 60 * s);
    const out = d.flush(t0 + 60 * s, { silences: [silence], firing: [] });
    assert.equal(out.length, 1);
    assert.equal(out[0]!.notification.status, 'resolved');
  });

  it('an expired silence no longer mutes', () => {
    const d = new Dispatcher(opts);
    d.ingest([alert(dlqA)], t0 + 3600 * s);
    assert.equal(d.flush(t0 + 3600 * s, { silences: [silence], firing: [] }).length, 1);
  });

  it('a stale pipeline inhibits its own DLQ and drift alerts, not other pipelines’', () => {
    const stale = { labels: { alertname: 'PipelineStale', pipeline: 'p', severity: 'critical' } };
    const drift = {
      alertname: 'FeatureDriftDetected',
      pipeline: 'p',
      feature: 'amount',
      severity: 'warning',
    };
    const other = { ...dlqA, pipeline: 'q' };
    const d = new Dispatcher(opts);
    d.ingest([alert(dlqA), alert(drift), alert(other), alert(stale.labels)], t0);
    const out = d.flush(t0, { silences: [], firing: [stale] });
    const sent = out
      .flatMap((n) =>
        n.notification.alerts.map((a) => `${a.labels.alertname}:${a.labels.pipeline}`),
      )
      .sort();
    assert.deepEqual(sent, ['DLQRatioHigh:q', 'PipelineStale:p']);
  });

  it('a STOPped consumer group inhibits; a STALLed one does not', () => {
    const d = new Dispatcher(opts);
    d.ingest([alert(dlqA)], t0);
    const stall = {
      labels: { alertname: 'ConsumerGroupUnhealthy', pipeline: 'p', status: 'STALL' },
    };
    assert.equal(d.flush(t0, { silences: [], firing: [stall] }).length, 1);
    const d2 = new Dispatcher(opts);
    d2.ingest([alert(dlqA)], t0);
    const stop = { labels: { alertname: 'ConsumerGroupUnhealthy', pipeline: 'p', status: 'STOP' } };
    assert.equal(d2.flush(t0, { silences: [], firing: [stop] }).length, 0);
  });
});

describe('notification formats', () => {
  const n = {
    receiver: 'email',
    groupKey: 'email:{}/x',
    groupLabels: { alertname: 'DLQRatioHigh', pipeline: 'p' },
    status: 'firing' as const,
    alerts: [alert(dlqA)],
    externalUrl: 'http://pw:8080',
  };
  it("subjects follow Alertmanager's default template", () => {
    assert.equal(notificationTitle(n), '[FIRING:1] DLQRatioHigh p (critical a)');
    assert.equal(
      notificationTitle({ ...n, status: 'resolved', alerts: [alert(dlqA, 'resolved')] }),
      '[RESOLVED] DLQRatioHigh p (critical a)',
    );
  });
  it('the email has the numbers, labels and the status page link; HTML is escaped', () => {
    const m = renderEmail({
      ...n,
      alerts: [{ ...alert(dlqA), annotations: { summary: '<b>x</b>' } }],
    });
    assert.match(m.text, /value: 0\.002/);
    assert.match(m.text, /source_topic=a/);
    assert.match(m.text, /Status page: http:\/\/pw:8080\//);
    assert.match(m.html, /&lt;b&gt;x&lt;\/b&gt;/);
  });
  it("the webhook payload has Alertmanager's version 4 shape", () => {
    const p = webhookPayload(n);
    assert.deepEqual(Object.keys(p).sort(), [
      'alerts',
      'commonAnnotations',
      'commonLabels',
      'externalURL',
      'groupKey',
      'groupLabels',
      'receiver',
      'status',
      'truncatedAlerts',
      'version',
    ]);
    assert.equal(p.version, '4');
    assert.equal(p.alerts[0]!.endsAt, '0001-01-01T00:00:00Z');
    assert.equal(p.alerts[0]!.startsAt, '2026-01-05T12:00:00.000Z');
  });
  it('backoff doubles per attempt up to the cap, with full jitter', () => {
    const o = { initialBackoffMs: 1000, maxBackoffMs: 8000, maxAttempts: 10 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, o, () => 0.999999)),
      [999, 1999, 3999, 7999, 7999, 7999],
    );
    assert.equal(
      backoffMs(3, o, () => 0.5),
      2000,
    );
  });
});
