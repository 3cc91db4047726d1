import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectorReadings } from '../../../monitor/lag/readings.js';

const up = (lastPollAtMs: number | null, atMs: number) =>
  collectorReadings(
    { lastPollAtMs, lastPollSeconds: null, groupDiscovery: 'configured-only', errors: {} },
    atMs,
    { startedAtMs: 1_000, pollIntervalMs: 10_000 },
  ).find((r) => r.name === 'pipewatch_collector_up');

describe('pipewatch_collector_up{collector="offsets"} (read by the CollectorDown rule)', () => {
  it('is 1 while a poll completed within 3 poll intervals, 0 once none did', () => {
    assert.deepEqual(up(50_000, 80_000)?.labels, { collector: 'offsets' });
    assert.equal(up(50_000, 80_000)?.value, 1, 'exactly 3 intervals ago');
    assert.equal(up(50_000, 80_001)?.value, 0, 'a hung or failing loop');
  });

  it('gives the first poll 3 intervals from start-up, then reads 0', () => {
    assert.equal(up(null, 31_000)?.value, 1);
    assert.equal(up(null, 31_001)?.value, 0);
  });
});
