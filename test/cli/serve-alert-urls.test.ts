import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startService } from '../../cli/commands/serve.js';
import { buildAlerts } from '../../cli/service/alerts.js';
import { parseConfig } from '../../config/index.js';
import { openDatabase } from '../../store/index.js';
import { FakeClock, tempDir, testBoard, WebhookSink } from '../alerts/support.js';
import { waitFor } from '../support/wait.js';

interface WebhookBody {
  externalURL: string;
  alerts: { labels: Record<string, string>; generatorURL: string; fingerprint: string }[];
}

/** An absent rule on a metric nothing publishes: it fires at the first evaluation. */
const ruleFile = `rules:
  - alert: NothingThere
    kind: absent
    metric: pipewatch_test_never_published
    severity: warning
    annotations:
      summary: nothing there
`;

/**
 * Without `alerts.externalUrl`, notifications link to the status page at the URL the service
 * listens on. With `http.port: 0` that port is only known once the HTTP server is bound; the
 * old default wrote `http://127.0.0.1:0` into every link.
 */
describe('serve with http.port 0: alert links name the port really bound', () => {
  const tmp = tempDir();
  const hook = new WebhookSink();
  before(() => hook.start());
  after(async () => {
    await hook.stop();
    tmp.cleanup();
  });

  it("a webhook notification's externalURL and generatorURL name the real port, and the link works", async () => {
    const rulesPath = join(tmp.dir, 'rules.yaml');
    writeFileSync(rulesPath, ruleFile);
    const config = parseConfig(
      {
        dataDir: tmp.dir,
        logLevel: 'silent',
        http: { host: '127.0.0.1', port: 0 },
        registry: { port: 0 },
        kafka: { embeddedBrokerCount: 1 },
        pipeline: { embedded: { enabled: false } },
        rules: { defaults: false, files: [rulesPath], evaluationIntervalSeconds: 1 },
        alerts: {
          webhooks: [{ name: 'hook', url: hook.url }],
          groupWaitSeconds: 0,
          outbox: { pollIntervalMs: 200 },
        },
      },
      {},
    );
    const service = await startService(config, pino({ level: 'silent' }));
    try {
      const port = new URL(service.httpUrl).port;
      assert.notEqual(port, '0');
      assert.notEqual(port, '');
      const body = await waitFor(() => hook.bodies[0] as WebhookBody | undefined, {
        what: 'the webhook notification',
        timeoutMs: 30_000,
        intervalMs: 100,
      });
      assert.equal(body.externalURL, `http://127.0.0.1:${port}`);
      const alert = body.alerts.find((a) => a.labels.alertname === 'NothingThere');
      assert.ok(alert, JSON.stringify(body));
      const link = new URL(alert.generatorURL);
      assert.equal(link.port, port);
      assert.equal(link.pathname, '/api/v1/alerts');
      assert.equal(link.searchParams.get('rule'), 'NothingThere');
      // The link works: the service's own list of the rule's alerts (it once said
      // ?fingerprint=, which GET /api/v1/alerts refuses with 400).
      const answer = await fetch(alert.generatorURL);
      assert.equal(answer.status, 200);
      const listed = (await answer.json()) as { alerts: { fingerprint: string }[] };
      assert.deepEqual(
        listed.alerts.map((a) => a.fingerprint),
        [alert.fingerprint],
      );
    } finally {
      await service.stop();
    }
  });

  it('alerts restored at start, still to be notified, get the URL known only after start-up', async () => {
    const file = join(tmp.dir, 'restored.sqlite');
    const clock = new FakeClock();
    const rulesPath = join(tmp.dir, 'rules-restored.yaml');
    writeFileSync(rulesPath, ruleFile);
    const config = parseConfig(
      {
        dataDir: tmp.dir,
        http: { host: '0.0.0.0', port: 0 },
        rules: { defaults: false, files: [rulesPath] },
        alerts: { webhooks: [{ name: 'hook', url: hook.url }], groupWaitSeconds: 30 },
      },
      {},
    );
    const build = (httpUrl: () => string | undefined) => {
      const db = openDatabase(file);
      const built = buildAlerts({
        config,
        db,
        board: testBoard(),
        logger: pino({ level: 'silent' }),
        httpUrl,
        nowMs: clock.nowMs,
        random: () => 0.5,
      });
      return { ...built, db };
    };
    // Fires, but the group waits 30 s: stopped before anything reached the outbox.
    const first = build(() => 'http://127.0.0.1:1111');
    await first.runtime.tick(clock.now);
    await first.runtime.stop();
    first.close();
    first.db.close();
    const sent = hook.bodies.length;

    const listening: { url?: string } = {};
    const second = build(() => listening.url);
    listening.url = 'http://0.0.0.0:2222'; // the server listens only after the alerts are built
    clock.now += 31_000;
    await second.runtime.tick(clock.now);
    await second.runtime.stop();
    second.close();
    second.db.close();
    const body = hook.bodies[sent] as WebhookBody | undefined;
    assert.ok(body, 'the restored alert was notified');
    assert.equal(body.externalURL, 'http://127.0.0.1:2222');
    assert.match(body.alerts[0]!.generatorURL, /^http:\/\/127\.0\.0\.1:2222\/api\/v1\/alerts\?/);
  });
});
