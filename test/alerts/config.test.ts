import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { buildAlerts } from '../../cli/service/alerts.js';
import { parseConfig } from '../../config/index.js';
import { openDatabase } from '../../store/index.js';
import {
  FakeClock,
  publishDlq,
  startHarness,
  t0,
  tempDir,
  testBoard,
  WebhookSink,
} from './support.js';

describe('alerts and rules configuration', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  const build = (input: Record<string, unknown>, env: Record<string, string> = {}) => {
    const db = openDatabase(':memory:');
    try {
      return buildAlerts({
        config: parseConfig(input, {}),
        db,
        board: testBoard(),
        logger: pino({ level: 'silent' }),
        env,
      });
    } finally {
      db.close();
    }
  };

  it('rejects bad keys at start-up, naming the key', () => {
    assert.throws(
      () =>
        parseConfig({ alerts: { email: { url: 'mail.example', from: 'a@b', to: ['c@d'] } } }, {}),
      /alerts\.email\.url/,
    );
    assert.throws(
      () => parseConfig({ rules: { evaluationIntervalSeconds: 0 } }, {}),
      /rules\.evaluationIntervalSeconds/,
    );
    assert.throws(
      () => parseConfig({ alerts: { groupWait: 3 } }, {}),
      /unknown key alerts\.groupWait/,
    );
    assert.throws(
      () => build({ alerts: { routes: [{ matchers: ['a="b"'], receiver: 'pager' }] } }),
      /alerts\.routes\.0\.receiver: no receiver named pager/,
    );
    assert.throws(
      () =>
        build({
          alerts: {
            email: {
              url: 'smtp://127.0.0.1:25',
              from: 'a@b',
              to: ['c@d'],
              auth: { user: 'u', passwordEnv: 'PW_UNSET' },
            },
          },
        }),
      /alerts\.email\.auth\.passwordEnv: environment variable PW_UNSET is not set/,
    );
  });

  it('loads rules.files next to the defaults; rules.defaults: false turns the defaults off; a bad file names rule and field', () => {
    const file = join(tmp.dir, 'extra.yaml');
    writeFileSync(
      file,
      'rules:\n  - alert: Mine\n    metric: pipewatch_dlq_ratio\n    threshold: 0.5\n',
    );
    const withDefaults = build({ rules: { files: [file] } });
    const names = withDefaults.runtime.listRules().map((r) => `${r.rule.alert}:${r.source}`);
    assert.ok(names.includes('Mine:file'));
    assert.ok(names.includes('DLQRatioHigh:default'));
    const only = build({ rules: { files: [file], defaults: false } });
    assert.deepEqual(
      only.runtime.listRules().map((r) => r.rule.alert),
      ['Mine'],
    );
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(
      bad,
      'rules:\n  - alert: Mine\n    metric: pipewatch_dlq_ratio\n    threshold: 0.5\n    severity: page\n',
    );
    assert.throws(
      () => build({ rules: { files: [bad] } }),
      /bad\.yaml: rules\[0\] Mine: field severity/,
    );
  });

  it('a webhook answering 5xx is retried until a 2xx, then delivered once', async () => {
    const hook = new WebhookSink();
    await hook.start();
    hook.status = 503;
    const board = testBoard();
    const clock = new FakeClock();
    const h = startHarness(join(tmp.dir, 'w.sqlite'), board, clock, {
      webhooks: [{ name: 'hook', url: hook.url }],
      groupWaitSeconds: 0,
      outbox: { initialBackoffMs: 1000, maxBackoffMs: 4000 },
    });
    for (let ms = 0; ms <= 300_000; ms += 15_000) {
      clock.now = t0 + ms;
      if (ms === 240_000) hook.status = 200;
      publishDlq(board, 0.002, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    assert.equal(hook.bodies.length, 1);
    const row = h.db.prepare('SELECT attempts, status FROM alert_outbox').get() as {
      attempts: number;
      status: string;
    };
    assert.equal(row.status, 'delivered');
    assert.ok(row.attempts > 1);
    await h.close();
    await hook.stop();
  });
});

describe('alert store retention', () => {
  it('purges delivered outbox entries and old history, never pending deliveries', async () => {
    const { sqliteAlertStore, sqliteOutboxStore } = await import('../../store/index.js');
    const db = openDatabase(':memory:');
    const outbox = sqliteOutboxStore(db);
    const n = {
      receiver: 'email',
      groupKey: 'g',
      groupLabels: {},
      status: 'firing' as const,
      alerts: [],
      externalUrl: '',
    };
    outbox.enqueue('a', n, t0);
    outbox.enqueue('b', n, t0);
    assert.equal(outbox.enqueue('a', n, t0 + 1), false, 'dedupe key');
    outbox.markDelivered(outbox.due(t0, 10)[0]!.id, t0);
    assert.equal(outbox.purge(t0 + 1), 1);
    assert.deepEqual(
      outbox.list(10).map((e) => e.dedupeKey),
      ['b'],
    );
    const store = sqliteAlertStore(db);
    assert.equal(store.purgeHistory(t0), 0);
    db.close();
  });
});
