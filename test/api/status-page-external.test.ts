import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { BuiltAlerts } from '../../cli/service/alerts.js';
import { ReadingsBoard } from '../../monitor/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { browserSkipReason, launchBrowser, screenshotPath } from '../support/browser.js';
import { startAlertsApp } from '../alerts/support.js';

describe('status page: alerts received through the Alertmanager webhook', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipewatch-status-external-'));
  let db: SqliteDatabase;
  let alerts: BuiltAlerts;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    db = openDatabase(join(dir, 'status.sqlite'));
    const board = new ReadingsBoard();
    ({ alerts, app } = await startAlertsApp({ db, board, httpUrl: 'http://status.example:8080' }));
    url = await app.listen({ host: '127.0.0.1', port: 0 });
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: {
        version: '4',
        status: 'firing',
        receiver: 'pipewatch',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'NodeDiskFull', severity: 'critical', instance: 'db1' },
            annotations: { summary: 'disk of db1 is 97 % full' },
            startsAt: new Date().toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
          },
        ],
      },
    });
    assert.equal(r.statusCode, 200, r.body);
  });
  after(async () => {
    await app.close();
    await alerts.runtime.stop();
    alerts.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'lists the external alert in the alerts section with its source, severity and summary',
    { skip: browserSkipReason() },
    async () => {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(url);
        await page.waitForSelector('body[data-loaded="true"]', { timeout: 15_000 });
        const row = page.locator('#alerts tr', { hasText: 'NodeDiskFull' });
        assert.equal(await row.count(), 1);
        const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
        assert.equal(cells[0], 'NodeDiskFull');
        assert.equal(cells[1], 'firing');
        assert.equal(cells[2], 'critical');
        assert.equal(cells[4], 'alertmanager');
        assert.equal(cells[5], 'disk of db1 is 97 % full');
        await page.screenshot({ path: screenshotPath('status-page-external.png'), fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await browser.close();
      }
    },
  );
});
