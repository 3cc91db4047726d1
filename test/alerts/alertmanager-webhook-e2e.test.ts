import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  alertmanagerSkip,
  startAlertmanager,
  type RunningAlertmanager,
} from '../support/alertmanager.js';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { BuiltAlerts } from '../../cli/service/alerts.js';
import { ReadingsBoard } from '../../monitor/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { startAlertsApp, tempDir } from './support.js';

const skip = alertmanagerSkip;

/** Polls until `check` holds; the bound only keeps a broken run from hanging (not a timing assertion). */
async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    const got = await check();
    if (got !== undefined) return got;
    await sleep(200);
  }
  throw new Error(`gave up waiting for ${what}`);
}

interface Listed {
  source: string;
  fingerprint: string;
  rule: string;
  status: string;
  expiresAt: string | null;
}

describe(
  'a real Alertmanager posts its alerts to pipewatch’s webhook: they are listed and their history kept',
  { skip },
  () => {
    const tmp = tempDir();
    let am: RunningAlertmanager | undefined;
    let amUrl = '';
    let db: SqliteDatabase;
    let alerts: BuiltAlerts;
    let app: FastifyInstance;

    before(async () => {
      if (skip) return;
      db = openDatabase(join(tmp.dir, 'pipewatch.sqlite'));
      const board = new ReadingsBoard();
      ({ alerts, app } = await startAlertsApp({
        db,
        board,
        httpUrl: 'http://status.example:8080',
      }));
      const pipewatchUrl = await app.listen({ host: '127.0.0.1', port: 0 });
      am = await startAlertmanager({
        dir: tmp.dir,
        groupBy: ['alertname'],
        webhookUrl: `${pipewatchUrl}/api/v1/alerts/webhook`,
      });
      amUrl = am.url;
    });

    after(async () => {
      await am?.stop();
      await app?.close();
      await alerts?.runtime.stop();
      alerts?.close();
      db?.close();
      tmp.cleanup();
    });

    const postToAm = async (endsAt?: string) => {
      const r = await fetch(`${amUrl}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: { alertname: 'PromSideDiskFull', severity: 'warning', instance: 'db1' },
            annotations: { summary: 'disk full' },
            ...(endsAt ? { endsAt } : {}),
          },
        ]),
      });
      assert.equal(r.status, 200, await r.text());
    };
    const listed = async (status: string): Promise<Listed | undefined> => {
      const r = await app.inject({ url: '/api/v1/alerts?rule=PromSideDiskFull' });
      return r
        .json<{ alerts: Listed[] }>()
        .alerts.find((a) => a.status === status && a.source === 'alertmanager');
    };

    it('firing, then resolved, with Alertmanager’s fingerprint', async () => {
      await postToAm();
      const firing = await until(() => listed('firing'), 'the firing alert listed').catch(
        (e: Error) => {
          throw new Error(`${e.message}\n${am?.log() ?? ''}`);
        },
      );
      const amAlerts = (await (await fetch(`${amUrl}/api/v2/alerts`)).json()) as {
        fingerprint: string;
      }[];
      // Alertmanager computes the fingerprint itself: pipewatch's must agree.
      assert.equal(firing.fingerprint, amAlerts[0]!.fingerprint);
      // Alertmanager notifies a firing alert with the zero endsAt: pipewatch's own expiry applies.
      assert.ok(firing.expiresAt !== null);

      await postToAm(new Date().toISOString());
      await until(() => listed('resolved'), 'the resolved alert listed');
      const history = (
        await app.inject({ url: '/api/v1/alerts/history?rule=PromSideDiskFull' })
      ).json<{ history: { from: string; to: string; source: string }[] }>().history;
      assert.deepEqual(history.map((h) => `${h.source}:${h.from}->${h.to}`).reverse(), [
        'alertmanager:inactive->firing',
        'alertmanager:firing->resolved',
      ]);
    });
  },
);
