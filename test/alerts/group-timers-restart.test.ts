import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  FakeClock,
  publishDlq,
  startHarness,
  tempDir,
  testBoard,
  WebhookSink,
  type Harness,
} from './support.js';

interface HookBody {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

/**
 * Alertmanager's repeat_interval (4 h by default) re-sends a group that keeps firing. A
 * restart must not lose that: the group's timers (when it was last sent, what was sent) are
 * kept in SQLite, so a firing alert notified before a restart is repeated 4 h after it was
 * sent, not never (it used to be forgotten by the dispatcher until it resolved) and not 4 h
 * after the restart.
 */
describe('alert group timers survive a restart', () => {
  const tmp = tempDir();
  const hook = new WebhookSink();
  before(() => hook.start());
  after(async () => {
    await hook.stop();
    tmp.cleanup();
  });
  const alerts = () => ({ webhooks: [{ name: 'hook', url: hook.url }], groupWaitSeconds: 0 });
  const hourMs = 3_600_000;

  async function minutes(
    h: Harness,
    clock: FakeClock,
    board: ReturnType<typeof testBoard>,
    n: number,
  ) {
    for (let i = 0; i < n; i++) {
      clock.now += 60_000;
      publishDlq(board, 0.01, clock.now);
      await h.runtime.tick(clock.now);
    }
    while ((await h.runtime.deliverNow()) > 0);
  }
  const firingSends = (since: number) =>
    (hook.bodies.slice(since) as HookBody[]).filter(
      (b) => b.status === 'firing' && b.alerts.some((a) => a.labels.alertname === 'DLQRatioHigh'),
    ).length;

  it('a group notified before a restart repeats repeat_interval after its send, once', async () => {
    const file = join(tmp.dir, 'timers.sqlite');
    const clock = new FakeClock();
    const board = testBoard();
    let h = startHarness(file, board, clock, alerts());
    const start = hook.bodies.length;
    await minutes(h, clock, board, 3); // DLQRatioHigh: for 2m, then fires and is sent
    assert.equal(firingSends(start), 1, 'the firing notification');
    const sentAtMs = clock.now;
    await minutes(h, clock, board, 60);
    await h.close();

    h = startHarness(file, board, clock, alerts());
    try {
      const afterRestart = hook.bodies.length;
      // Up to 1 minute before the 4 h repeat: nothing again (no re-send at restart either).
      const untilRepeat = Math.floor((sentAtMs + 4 * hourMs - clock.now) / 60_000) - 1;
      await minutes(h, clock, board, untilRepeat);
      assert.equal(firingSends(afterRestart), 0, 'no notification before repeat_interval');
      await minutes(h, clock, board, 6);
      assert.equal(firingSends(afterRestart), 1, 'repeated once, 4 h after it was sent');
    } finally {
      await h.close();
    }
  });
});
