import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  emailConfig,
  FakeClock,
  MailSink,
  publishDlq,
  startHarness,
  t0,
  tempDir,
  testBoard,
} from './support.js';

const intervalMs = 15_000; // rules.evaluationIntervalSeconds default
const forMs = 120_000; // DLQRatioHigh's `for`
const groupIntervalMs = 300_000; // alerts.groupIntervalSeconds default

describe('alerts end to end: board → rules → outbox → real SMTP server', () => {
  const tmp = tempDir();
  const smtp = new MailSink();
  before(() => smtp.start());
  after(async () => {
    await smtp.stop();
    tmp.cleanup();
  });

  it('DLQ ratio 0.2 %: one FIRING email within for + one interval, one RESOLVED after it drops', async () => {
    smtp.mails.length = 0;
    const board = testBoard();
    const clock = new FakeClock();
    const h = startHarness(join(tmp.dir, 'a.sqlite'), board, clock, emailConfig(smtp.port));
    let firstMailAtMs: number | undefined;
    for (let ms = 0; ms <= forMs + 4 * intervalMs; ms += intervalMs) {
      clock.now = t0 + ms;
      publishDlq(board, 0.002, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
      if (firstMailAtMs === undefined && smtp.mails.length > 0) firstMailAtMs = ms;
    }
    assert.ok(firstMailAtMs !== undefined, 'no email arrived');
    assert.ok(firstMailAtMs >= forMs, `email at ${firstMailAtMs} ms, before the rule's for`);
    assert.ok(firstMailAtMs <= forMs + intervalMs, `email at ${firstMailAtMs} ms`);
    assert.equal(smtp.mails.length, 1);
    const firing = smtp.mails[0]!;
    assert.match(firing.subject, /^\[FIRING:1\] DLQRatioHigh transactions/);
    assert.match(firing.text, /0\.2%/);
    assert.match(firing.text, /source_topic=raw\.transactions/);
    assert.match(firing.text, /http:\/\/status\.example:8080\//);
    assert.match(firing.text, /Content-Type: text\/html/i);

    // The resolved notification follows the group's group_interval (5 m), as in Alertmanager.
    const droppedAtMs = clock.now + intervalMs;
    let resolvedAtMs: number | undefined;
    while (clock.now < droppedAtMs + groupIntervalMs + 2 * intervalMs) {
      clock.now += intervalMs;
      publishDlq(board, 0.0005, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
      if (resolvedAtMs === undefined && smtp.mails.length > 1) resolvedAtMs = clock.now;
    }
    assert.equal(smtp.mails.length, 2);
    assert.match(smtp.mails[1]!.subject, /^\[RESOLVED\] DLQRatioHigh transactions/);
    assert.ok(resolvedAtMs! - firstMailAtMs - t0 <= groupIntervalMs + intervalMs);
    await h.close();
  });

  it('DLQ ratio 0.05 %: nothing is sent over five times the for', async () => {
    smtp.mails.length = 0;
    const board = testBoard();
    const clock = new FakeClock();
    const h = startHarness(join(tmp.dir, 'b.sqlite'), board, clock, emailConfig(smtp.port));
    for (let ms = 0; ms <= 5 * forMs; ms += intervalMs) {
      clock.now = t0 + ms;
      publishDlq(board, 0.0005, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    assert.equal(smtp.mails.length, 0);
    assert.equal(h.runtime.alerts().length, 0);
    await h.close();
  });

  it('SMTP server down while the alert fires, back later: the email arrives exactly once', async () => {
    smtp.mails.length = 0;
    const board = testBoard();
    const clock = new FakeClock();
    const h = startHarness(join(tmp.dir, 'c.sqlite'), board, clock, emailConfig(smtp.port));
    await smtp.stop();
    for (let ms = 0; ms <= forMs + 10 * intervalMs; ms += intervalMs) {
      clock.now = t0 + ms;
      publishDlq(board, 0.002, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    const attempts = h.db.prepare('SELECT attempts, status FROM alert_outbox').all() as {
      attempts: number;
      status: string;
    }[];
    assert.equal(attempts.length, 1, 'one notification in the outbox');
    assert.ok(attempts[0]!.attempts >= 2, 'delivery was retried while the server was down');
    assert.equal(attempts[0]!.status, 'pending');
    await smtp.start(); // same port
    for (let i = 0; i < 6; i++) {
      clock.now += intervalMs;
      publishDlq(board, 0.002, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    assert.equal(smtp.mails.length, 1);
    assert.match(smtp.mails[0]!.subject, /^\[FIRING:1\] DLQRatioHigh/);
    await h.close();
  });

  it('restarted (same SQLite file) while firing: no second email, and the resolved one still comes', async () => {
    smtp.mails.length = 0;
    const file = join(tmp.dir, 'd.sqlite');
    const board = testBoard();
    const clock = new FakeClock();
    let h = startHarness(file, board, clock, emailConfig(smtp.port));
    for (let ms = 0; ms <= forMs + intervalMs; ms += intervalMs) {
      clock.now = t0 + ms;
      publishDlq(board, 0.002, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    assert.equal(smtp.mails.length, 1);
    await h.close();

    const board2 = testBoard();
    h = startHarness(file, board2, clock, emailConfig(smtp.port));
    for (let i = 0; i < 4; i++) {
      clock.now += intervalMs;
      publishDlq(board2, 0.002, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    assert.equal(smtp.mails.length, 1, 'no second firing email after the restart');
    assert.equal(h.runtime.alerts().find((a) => a.rule === 'DLQRatioHigh')?.status, 'firing');
    for (let ms = 0; ms <= groupIntervalMs + intervalMs; ms += intervalMs) {
      clock.now += intervalMs;
      publishDlq(board2, 0.0001, clock.now);
      await h.runtime.tick(clock.now);
      await h.runtime.deliverNow();
    }
    assert.equal(smtp.mails.length, 2);
    assert.match(smtp.mails[1]!.subject, /^\[RESOLVED\] DLQRatioHigh/);
    const history = h.db
      .prepare('SELECT from_status, to_status FROM alert_history ORDER BY id')
      .all();
    assert.deepEqual(history, [
      { from_status: 'inactive', to_status: 'pending' },
      { from_status: 'pending', to_status: 'firing' },
      { from_status: 'firing', to_status: 'resolved' },
    ]);
    await h.close();
  });
});
