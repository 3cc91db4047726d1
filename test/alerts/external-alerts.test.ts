import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import { buildAlerts, type BuiltAlerts } from '../../cli/service/alerts.js';
import { parseConfig, type ConfigInput } from '../../config/index.js';
import { renderBoard, type ReadingsBoard } from '../../monitor/index.js';
import { fingerprint } from '../../rules/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';
import { FakeClock, publishDlq, tempDir, testBoard, WebhookSink } from './support.js';

interface ListedAlert {
  source: string;
  fingerprint: string;
  rule: string;
  status: string;
  severity: string;
  silenced: boolean;
  labels: Record<string, string>;
  firedAt: string | null;
  resolvedAt: string | null;
  expiresAt: string | null;
}
interface HistoryRow {
  fingerprint: string;
  rule: string;
  from: string;
  to: string;
  at: string;
  source: string;
}
interface HookBody {
  status: string;
  alerts: { status: string; labels: Record<string, string>; endsAt: string }[];
}

/** Alertmanager's zero time: what it writes as the endsAt of every firing alert it notifies. */
const zero = '0001-01-01T00:00:00Z';
const iso = (ms: number) => new Date(ms).toISOString();

/** One pipewatch process: the real fastify app over a real SQLite file, with a fake clock. */
class Service {
  app!: FastifyInstance;
  alerts!: BuiltAlerts;
  db!: SqliteDatabase;
  readonly logLines: string[] = [];

  constructor(
    private readonly file: string,
    private readonly clock: FakeClock,
    private readonly board: ReadingsBoard,
    private readonly alertsConfig: ConfigInput['alerts'],
  ) {}

  async start(): Promise<this> {
    const lines = this.logLines;
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    this.db = openDatabase(this.file);
    this.alerts = buildAlerts({
      config: parseConfig({ alerts: this.alertsConfig }, {}),
      db: this.db,
      board: this.board,
      logger: pino({ level: 'info' }, sink),
      httpUrl: 'http://status.example:8080',
      nowMs: this.clock.nowMs,
      random: () => 0.5,
    });
    this.app = Fastify();
    await this.app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
      board: this.board,
      alerts: { ...this.alerts, nowMs: this.clock.nowMs },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.app.close();
    await this.alerts.runtime.stop();
    this.alerts.close();
    this.db.close();
  }

  /**
   * Delivers every due notification: a pass started by an earlier webhook call may still run
   * (concurrent calls share one pass, which saw the outbox before the later entries).
   */
  async deliver(): Promise<void> {
    while ((await this.alerts.runtime.deliverNow()) > 0);
  }

  async post(
    alerts: {
      status: 'firing' | 'resolved';
      labels: Record<string, string>;
      startsAt?: string;
      endsAt?: string;
    }[],
  ): Promise<void> {
    const r = await this.app.inject({
      method: 'POST',
      url: '/api/v1/alerts/webhook',
      payload: {
        version: '4',
        receiver: 'pipewatch',
        status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
        alerts: alerts.map((a) => ({
          annotations: { summary: `${a.labels.alertname} from Prometheus` },
          startsAt: iso(this.clock.now),
          endsAt: zero,
          ...a,
        })),
      },
    });
    assert.equal(r.statusCode, 200, r.body);
  }

  async list(query = ''): Promise<ListedAlert[]> {
    const r = await this.app.inject({ url: `/api/v1/alerts${query}` });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ alerts: ListedAlert[] }>().alerts;
  }

  async history(query = ''): Promise<HistoryRow[]> {
    const r = await this.app.inject({ url: `/api/v1/alerts/history${query}` });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<{ history: HistoryRow[] }>().history;
  }
}

const promAlert = (name: string, extra: Record<string, string> = {}) => ({
  alertname: name,
  severity: 'warning',
  job: 'prometheus',
  ...extra,
});

describe('alerts received through the Alertmanager webhook are kept and listed', () => {
  const tmp = tempDir();
  const hook = new WebhookSink();
  before(() => hook.start());
  after(async () => {
    await hook.stop();
    tmp.cleanup();
  });
  const config = (extra: ConfigInput['alerts'] = {}): ConfigInput['alerts'] => ({
    webhooks: [{ name: 'hook', url: hook.url }],
    groupWaitSeconds: 0,
    ...extra,
  });
  const bodiesFor = (name: string, since: number) =>
    (hook.bodies.slice(since) as HookBody[]).filter((b) =>
      b.alerts.some((a) => a.labels.alertname === name),
    );

  it('a firing alert is listed with source alertmanager; its resolved copy resolves it; history has both', async () => {
    const clock = new FakeClock();
    const s = await new Service(join(tmp.dir, 'a.sqlite'), clock, testBoard(), config()).start();
    try {
      const labels = promAlert('DiskFull', { instance: 'db1' });
      const startsAt = clock.now;
      await s.post([{ status: 'firing', labels }]);
      const listed = await s.list();
      assert.equal(listed.length, 1);
      const a = listed[0]!;
      assert.equal(a.source, 'alertmanager');
      assert.equal(a.rule, 'DiskFull');
      assert.equal(a.status, 'firing');
      assert.equal(a.severity, 'warning');
      // Prometheus' fingerprint of the label set (independent value: model.LabelSet.Fingerprint).
      assert.equal(a.fingerprint, fingerprint(labels));
      assert.equal(a.firedAt, iso(startsAt));
      assert.equal(a.expiresAt, iso(clock.now + 16_200_000), 'default staleAfterSeconds 4.5 h');
      assert.deepEqual(
        (await s.list('?rule=DiskFull&status=firing&source=alertmanager')).length,
        1,
      );
      assert.equal((await s.list('?source=pipewatch')).length, 0);
      assert.equal((await s.list('?status=resolved')).length, 0);

      clock.now += 120_000;
      const endsAt = clock.now - 1000;
      await s.post([{ status: 'resolved', labels, startsAt: iso(startsAt), endsAt: iso(endsAt) }]);
      const resolved = (await s.list())[0]!;
      assert.equal(resolved.status, 'resolved');
      assert.equal(resolved.resolvedAt, iso(endsAt));
      const history = await s.history('?source=alertmanager');
      assert.deepEqual(history.map((h) => [h.rule, h.from, h.to, h.source, h.at]).reverse(), [
        ['DiskFull', 'inactive', 'firing', 'alertmanager', iso(startsAt)],
        ['DiskFull', 'firing', 'resolved', 'alertmanager', iso(endsAt)],
      ]);
      assert.equal((await s.history('?source=pipewatch')).length, 0);
      assert.equal((await s.history('?rule=DiskFull')).length, 2);
      // A late retry of the old firing notification does not bring it back; a new start does.
      await s.post([{ status: 'firing', labels, startsAt: iso(startsAt) }]);
      assert.equal((await s.list())[0]!.status, 'resolved');
      await s.post([{ status: 'firing', labels, startsAt: iso(clock.now) }]);
      assert.equal((await s.list())[0]!.status, 'firing');
      assert.deepEqual(
        (await s.history('?rule=DiskFull')).map((h) => `${h.from}->${h.to}`),
        ['resolved->firing', 'firing->resolved', 'inactive->firing'],
      );
    } finally {
      await s.stop();
    }
  });

  it('a firing alert not received again resolves at its expiry (staleAfterSeconds, or a future endsAt)', async () => {
    const clock = new FakeClock();
    const s = await new Service(
      join(tmp.dir, 'expiry.sqlite'),
      clock,
      testBoard(),
      // Every change is sent at once (no group_interval between them), to see the resolution.
      config({ external: { staleAfterSeconds: 600 }, groupIntervalSeconds: 0 }),
    ).start();
    try {
      const before = hook.bodies.length;
      const silent = promAlert('SenderWentSilent');
      const stated = promAlert('StatedEnd');
      const receivedAt = clock.now;
      await s.post([
        { status: 'firing', labels: silent },
        { status: 'firing', labels: stated, endsAt: iso(receivedAt + 120_000) },
      ]);
      // Re-sent 5 min later (a group_interval): the expiry counts from then.
      clock.now += 300_000;
      await s.post([{ status: 'firing', labels: silent, startsAt: iso(receivedAt) }]);
      clock.now += 599_000; // 599 s after the re-send: still firing; StatedEnd's endsAt passed
      await s.alerts.runtime.tick(clock.now);
      const mid = new Map((await s.list()).map((a) => [a.rule, a]));
      assert.equal(mid.get('SenderWentSilent')?.status, 'firing');
      assert.equal(mid.get('StatedEnd')?.status, 'resolved');
      assert.equal(mid.get('StatedEnd')?.resolvedAt, iso(receivedAt + 120_000));
      clock.now += 2000;
      await s.alerts.runtime.tick(clock.now);
      const late = (await s.list('?rule=SenderWentSilent'))[0]!;
      assert.equal(late.status, 'resolved');
      assert.equal(late.resolvedAt, iso(receivedAt + 300_000 + 600_000));
      assert.deepEqual(
        (await s.history('?rule=SenderWentSilent')).map((h) => `${h.from}->${h.to}`),
        ['firing->resolved', 'inactive->firing'],
      );
      // Like Alertmanager's resolve_timeout, the expiry is a resolution the receivers are told.
      await s.deliver();
      const sent = bodiesFor('SenderWentSilent', before);
      assert.deepEqual(
        sent.map((b) => b.status),
        ['firing', 'resolved'],
      );
      // Resolved ones stay listed 15 min, then are forgotten.
      clock.now += 15 * 60_000;
      await s.alerts.runtime.tick(clock.now);
      assert.deepEqual(await s.list(), []);
    } finally {
      await s.stop();
    }
  });

  it('a restart on the same SQLite file keeps them listed and does not deliver them again', async () => {
    const clock = new FakeClock();
    const file = join(tmp.dir, 'restart.sqlite');
    const board = testBoard();
    const before = hook.bodies.length;
    const labels = promAlert('KeptAcrossRestart');
    const first = await new Service(file, clock, board, config()).start();
    await first.post([{ status: 'firing', labels }]);
    await first.deliver();
    assert.equal(bodiesFor('KeptAcrossRestart', before).length, 1);
    const expiresAt = (await first.list())[0]!.expiresAt;
    await first.stop();

    clock.now += 60_000;
    const second = await new Service(file, clock, board, config()).start();
    try {
      const listed = await second.list();
      assert.deepEqual(
        listed.map((a) => [a.rule, a.status, a.source, a.expiresAt]),
        [['KeptAcrossRestart', 'firing', 'alertmanager', expiresAt]],
      );
      await second.alerts.runtime.tick(clock.now);
      await second.deliver();
      assert.equal(bodiesFor('KeptAcrossRestart', before).length, 1, 'not delivered again');
      // Its resolved copy still reaches the receivers after the restart, once the group's
      // interval since its last (pre-restart) notification has passed: the timers were kept.
      await second.post([{ status: 'resolved', labels, endsAt: iso(clock.now) }]);
      await second.deliver();
      assert.equal(bodiesFor('KeptAcrossRestart', before).length, 1, 'within group_interval');
      clock.now += 5 * 60_000;
      await second.alerts.runtime.tick(clock.now);
      await second.deliver();
      assert.deepEqual(
        bodiesFor('KeptAcrossRestart', before).map((b) => b.status),
        ['firing', 'resolved'],
      );
    } finally {
      await second.stop();
    }
  });

  it('a restart within the group wait hands the alert in again, and it is delivered once', async () => {
    const clock = new FakeClock();
    const file = join(tmp.dir, 'group-wait.sqlite');
    const board = testBoard();
    const before = hook.bodies.length;
    const labels = promAlert('ArrivedBeforeStop');
    const first = await new Service(file, clock, board, config({ groupWaitSeconds: 30 })).start();
    await first.post([{ status: 'firing', labels }]);
    await first.deliver();
    assert.equal(bodiesFor('ArrivedBeforeStop', before).length, 0, 'still in its group wait');
    await first.stop();

    const second = await new Service(file, clock, board, config({ groupWaitSeconds: 30 })).start();
    try {
      clock.now += 31_000;
      await second.alerts.runtime.tick(clock.now);
      await second.deliver();
      assert.equal(bodiesFor('ArrivedBeforeStop', before).length, 1);
    } finally {
      await second.stop();
    }
    clock.now += 60_000;
    const third = await new Service(file, clock, board, config({ groupWaitSeconds: 30 })).start();
    try {
      clock.now += 31_000;
      await third.alerts.runtime.tick(clock.now);
      await third.deliver();
      assert.equal(bodiesFor('ArrivedBeforeStop', before).length, 1, 'not delivered twice');
    } finally {
      await third.stop();
    }
  });

  it('a silence still mutes it: listed as silenced, not delivered', async () => {
    const clock = new FakeClock();
    const s = await new Service(
      join(tmp.dir, 'silence.sqlite'),
      clock,
      testBoard(),
      config(),
    ).start();
    try {
      const r = await s.app.inject({
        method: 'POST',
        url: '/api/v1/silences',
        payload: { matchers: ['alertname="MutedOne"'], durationSeconds: 3600, comment: 'test' },
      });
      assert.equal(r.statusCode, 201, r.body);
      const before = hook.bodies.length;
      await s.post([
        { status: 'firing', labels: promAlert('MutedOne') },
        { status: 'firing', labels: promAlert('LoudOne') },
      ]);
      await s.deliver();
      assert.equal(bodiesFor('MutedOne', before).length, 0);
      assert.equal(bodiesFor('LoudOne', before).length, 1);
      const listed = new Map((await s.list()).map((a) => [a.rule, a.silenced]));
      assert.deepEqual(
        [...listed],
        [
          ['LoudOne', false],
          ['MutedOne', true],
        ],
      );
    } finally {
      await s.stop();
    }
  });

  it('the bound: resolved ones are forgotten first, then new ones are not kept (logged, counted) but still routed', async () => {
    const clock = new FakeClock();
    const board = testBoard();
    const s = await new Service(
      join(tmp.dir, 'bound.sqlite'),
      clock,
      board,
      config({ external: { maxAlerts: 2 } }),
    ).start();
    try {
      const before = hook.bodies.length;
      await s.post([
        { status: 'firing', labels: promAlert('B1') },
        { status: 'resolved', labels: promAlert('B2'), endsAt: iso(clock.now) },
      ]);
      clock.now += 1000;
      // B2 (resolved) makes room for B3; B4 finds both kept alerts firing and is not kept.
      await s.post([
        { status: 'firing', labels: promAlert('B3') },
        { status: 'firing', labels: promAlert('B4') },
      ]);
      assert.deepEqual(
        (await s.list()).map((a) => a.rule),
        ['B1', 'B3'],
      );
      assert.match(renderBoard(board), /^pipewatch_external_alerts_dropped_total 1$/m);
      assert.match(renderBoard(board), /^pipewatch_external_alerts\{status="firing"\} 2$/m);
      const warning = s.logLines.find((l) => l.includes('alerts.external.maxAlerts'));
      assert.ok(warning, 'a warning names the key');
      assert.equal((JSON.parse(warning) as { dropped: number }).dropped, 1);
      await s.deliver();
      assert.equal(bodiesFor('B4', before).length, 1, 'routed although not listed');
      // Restart: the kept ones come back from SQLite, nothing more.
      await s.stop();
      const again = await new Service(
        join(tmp.dir, 'bound.sqlite'),
        clock,
        board,
        config({ external: { maxAlerts: 2 } }),
      ).start();
      assert.deepEqual(
        (await again.list()).map((a) => a.rule),
        ['B1', 'B3'],
      );
      s.app = again.app;
      s.alerts = again.alerts;
      s.db = again.db;
    } finally {
      await s.stop();
    }
  });

  it('pipewatch_alerts_firing counts only pipewatch alerts; the same fingerprint from both is listed and notified once, as pipewatch', async () => {
    const clock = new FakeClock();
    const board = testBoard();
    const s = await new Service(join(tmp.dir, 'dup.sqlite'), clock, board, config()).start();
    try {
      for (const step of [0, 1, 2]) {
        clock.now += step === 0 ? 0 : 60_000;
        publishDlq(board, 0.01, clock.now);
        await s.alerts.runtime.tick(clock.now);
      }
      const own = await s.list('?status=firing');
      assert.deepEqual(
        own.map((a) => [a.rule, a.source]),
        [['DLQRatioHigh', 'pipewatch']],
      );
      await s.deliver();
      const sentBefore = bodiesFor('DLQRatioHigh', 0).length;
      // Prometheus evaluating pipewatch's exported rule raises the same label set.
      await s.post([
        { status: 'firing', labels: { ...own[0]!.labels } },
        { status: 'firing', labels: promAlert('DLQRatioHigh', { pipeline: 'elsewhere' }) },
      ]);
      const listed = await s.list('?rule=DLQRatioHigh');
      assert.deepEqual(
        listed.map((a) => `${a.source}:${a.fingerprint === own[0]!.fingerprint}`).sort(),
        ['alertmanager:false', 'pipewatch:true'],
      );
      assert.equal(listed.length, 2);
      await s.deliver();
      const sent = bodiesFor('DLQRatioHigh', 0).slice(sentBefore);
      const pipelinesNotified = sent.flatMap((b) => b.alerts.map((a) => a.labels.pipeline));
      assert.deepEqual(
        pipelinesNotified,
        ['elsewhere'],
        'the copy of pipewatch’s own alert is not notified again; the other one is',
      );
      assert.match(
        renderBoard(board),
        /^pipewatch_alerts_firing\{rule="DLQRatioHigh",severity="critical"\} 1$/m,
        'external alerts are not counted into pipewatch_alerts_firing',
      );
      // pipewatch resolves first (its resolved notification waits out the group interval);
      // Prometheus, a scrape behind, then still sends its copy firing.
      const mine = (since: number) =>
        bodiesFor('DLQRatioHigh', since).filter((b) =>
          b.alerts.some((a) => a.labels.pipeline === own[0]!.labels.pipeline),
        );
      for (let minute = 0; minute < 6; minute++) {
        clock.now += 60_000;
        publishDlq(board, 0, clock.now);
        await s.alerts.runtime.tick(clock.now);
      }
      await s.deliver();
      assert.equal(mine(0).at(-1)?.status, 'resolved', 'pipewatch resolved its alert');
      const afterResolve = hook.bodies.length;
      await s.post([{ status: 'firing', labels: { ...own[0]!.labels } }]);
      for (let minute = 0; minute < 6; minute++) {
        clock.now += 60_000;
        publishDlq(board, 0, clock.now);
        await s.alerts.runtime.tick(clock.now);
      }
      await s.deliver();
      assert.deepEqual(
        mine(afterResolve).map((b) => b.status),
        [],
        'a late copy of a resolved pipewatch alert does not notify it firing again',
      );
    } finally {
      await s.stop();
    }
  });
});
