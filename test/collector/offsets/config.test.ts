import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../../config/index.js';

describe('collector.offsets config', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({}, {});
    assert.equal(c.collector.partitionSeries, true);
    assert.deepEqual(c.collector.offsets, {
      pollIntervalSeconds: 10,
      historyPoints: 1000,
      extrapolationCapSeconds: 600,
      statusWindowSeconds: 60,
      stopAfterSeconds: 300,
      rateWindowSeconds: 60,
      recordReadTimeoutMs: 5000,
      persistIntervalSeconds: 60,
      discovery: { enabled: true, intervalSeconds: 60, allow: '.*' },
    });
  });

  it('refuses a bad regex and a STOP window shorter than the status window, naming the key', () => {
    assert.throws(
      () => parseConfig({ collector: { offsets: { discovery: { deny: '(' } } } }, {}),
      (e: Error & { code?: string }) =>
        e.code === 'CONFIG_INVALID' && /collector\.offsets\.discovery\.deny/.test(e.message),
    );
    assert.throws(
      () =>
        parseConfig(
          { collector: { offsets: { statusWindowSeconds: 120, stopAfterSeconds: 60 } } },
          {},
        ),
      (e: Error) => /collector\.offsets\.stopAfterSeconds/.test(e.message),
    );
    assert.throws(
      () => parseConfig({ collector: { offsets: { pollIntervalSecs: 5 } } }, {}),
      (e: Error) => /pollIntervalSecs/.test(e.message),
    );
  });
});
