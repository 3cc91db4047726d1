import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { buildAlerts, type BuiltAlerts } from '../../cli/service/alerts.js';
import { parseConfig } from '../../config/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { runCli } from '../support/cli.js';
import { FakeClock, publishDlq, tempDir, testBoard } from './support.js';

describe('pipewatch alerts list | silence | unsilence (through the API)', () => {
  const tmp = tempDir();
  const clock = new FakeClock();
  const board = testBoard();
  let db: SqliteDatabase;
  let app: FastifyInstance;
  let alerts: BuiltAlerts;
  let api = '';

  before(async () => {
    db = openDatabase(join(tmp.dir, 'cli.sqlite'));
    alerts = buildAlerts({
      config: parseConfig({}, {}),
      db,
      board,
      logger: pino({ level: 'silent' }),
      nowMs: clock.nowMs,
    });
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      board,
      alerts,
    });
    api = await app.listen({ host: '127.0.0.1', port: 0 });
    for (const s of [0, 60, 120]) {
      clock.now += s === 0 ? 0 : 60_000;
      publishDlq(board, 0.004, clock.now);
      await alerts.runtime.tick(clock.now);
    }
  });
  after(async () => {
    await app.close();
    await alerts.runtime.stop();
    db.close();
    tmp.cleanup();
  });

  it('lists the firing alert, silences it with an expiry, unsilences it', async () => {
    const list = await runCli(['alerts', 'list', '--api', api]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(
      list.stdout,
      /^firing\s+critical\s+DLQRatioHigh .*source_topic=raw\.transactions .*value=0\.004/m,
    );
    const silence = await runCli([
      'alerts',
      'silence',
      '--matcher',
      'alertname="DLQRatioHigh"',
      '--duration',
      '2h',
      '--comment',
      'deploy',
      '--api',
      api,
    ]);
    assert.equal(silence.code, 0, silence.stderr);
    const id = silence.stdout.split(' ')[0]!;
    assert.match((await runCli(['alerts', 'list', '--api', api])).stdout, /\(silenced\)/);
    const un = await runCli(['alerts', 'unsilence', id, '--api', api]);
    assert.equal(un.code, 0, un.stderr);
    assert.doesNotMatch((await runCli(['alerts', 'list', '--api', api])).stdout, /\(silenced\)/);
  });

  it('a bad silence is refused naming the field; a missing flag is a usage error', async () => {
    const bad = await runCli([
      'alerts',
      'silence',
      '--matcher',
      'alertname=x',
      '--duration',
      '1h',
      '--api',
      api,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /SILENCE_INVALID.*matchers\[0\]/);
    const usage = await runCli(['alerts', 'silence', '--matcher', 'a="b"', '--api', api]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--duration is required/);
  });
});
