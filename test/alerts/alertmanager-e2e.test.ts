import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  alertmanagerSkip,
  startAlertmanager,
  type RunningAlertmanager,
} from '../support/alertmanager.js';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FakeClock,
  publishDlq,
  startHarness,
  t0,
  tempDir,
  testBoard,
  WebhookSink,
  type Harness,
} from './support.js';

const skip = alertmanagerSkip;

/** Polls until `check` holds; the bound only keeps a broken run from hanging (not a timing assertion). */
async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  boundMs = 60_000,
): Promise<void> {
  const end = Date.now() + boundMs;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface WebhookBody {
  version: string;
  status: string;
  receiver: string;
  alerts: {
    status: string;
    labels: Record<string, string>;
    fingerprint: string;
    annotations: Record<string, string>;
  }[];
}

describe(
  'a real Alertmanager receives pipewatch alerts and routes them to a webhook',
  { skip },
  () => {
    const tmp = tempDir();
    const hook = new WebhookSink();
    let am: RunningAlertmanager | undefined;
    let amUrl = '';
    let h: Harness | undefined;

    before(async () => {
      if (skip) return;
      await hook.start();
      am = await startAlertmanager({
        dir: tmp.dir,
        groupBy: ['alertname', 'pipeline'],
        webhookUrl: hook.url,
      });
      amUrl = am.url;
    });

    after(async () => {
      await h?.close();
      await am?.stop();
      await hook.stop();
      tmp.cleanup();
    });

    it('DLQRatioHigh fires in pipewatch → Alertmanager → webhook (same fingerprint), then resolves', async () => {
      const board = testBoard();
      const clock = new FakeClock();
      h = startHarness(join(tmp.dir, 'am.sqlite'), board, clock, {
        alertmanagers: [{ name: 'am', url: amUrl }],
      });
      for (let ms = 0; ms <= 150_000; ms += 15_000) {
        clock.now = t0 + ms;
        publishDlq(board, 0.002, clock.now);
        await h.runtime.tick(clock.now);
      }
      const ours = h.runtime.alerts().find((a) => a.rule === 'DLQRatioHigh');
      assert.equal(ours?.status, 'firing');
      await until(() => hook.bodies.length > 0, 'the firing webhook from Alertmanager').catch(
        (e: Error) => {
          throw new Error(`${e.message}\n${am?.log() ?? ''}`);
        },
      );
      const firing = hook.bodies[0] as WebhookBody;
      assert.equal(firing.version, '4');
      assert.equal(firing.status, 'firing');
      assert.equal(firing.alerts[0]!.labels.alertname, 'DLQRatioHigh');
      assert.equal(firing.alerts[0]!.labels.source_topic, 'raw.transactions');
      assert.match(firing.alerts[0]!.annotations.summary!, /0\.2%/);
      // Alertmanager computes the fingerprint itself: ours must agree.
      assert.equal(firing.alerts[0]!.fingerprint, ours.fingerprint);

      clock.now += 15_000;
      publishDlq(board, 0.0001, clock.now);
      await h.runtime.tick(clock.now);
      await until(
        () => hook.bodies.some((b) => (b as WebhookBody).status === 'resolved'),
        'the resolved webhook from Alertmanager',
      );
      const resolved = hook.bodies.find(
        (b) => (b as WebhookBody).status === 'resolved',
      ) as WebhookBody;
      assert.equal(resolved.alerts[0]!.fingerprint, ours.fingerprint);
    });
  },
);
