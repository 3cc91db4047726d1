import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPipewatchError } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';

describe('drift configuration', () => {
  it('defaults: 5 m / 1 h / 24 h windows, alpha 0.05, thresholds 0.1, k = 3, 10 s / 60 s', () => {
    const { drift } = parseConfig({}, {});
    assert.deepEqual(drift, {
      windows: [
        { windowSeconds: 300, subWindowSeconds: 30 },
        { windowSeconds: 3600, subWindowSeconds: 300 },
        { windowSeconds: 86_400, subWindowSeconds: 3600 },
      ],
      alpha: 0.05,
      psiThreshold: 0.1,
      jsDistanceThreshold: 0.1,
      ksStatisticThreshold: 0.1,
      cramersVThreshold: 0.1,
      decisionMetric: 'psi',
      consecutiveWindows: 3,
      minWindowValues: 500,
      evaluateIntervalMs: 10_000,
      persistIntervalMs: 60_000,
      maxTimestampSkewSeconds: 300,
    });
  });

  it('rejects a window that is not a multiple of its sub-window, and unknown keys', () => {
    const bad = (input: object, pattern: RegExp) =>
      assert.throws(
        () => parseConfig({ drift: input }, {}),
        (error) => isPipewatchError(error) && pattern.test(error.message),
      );
    bad(
      { windows: [{ windowSeconds: 100, subWindowSeconds: 30 }] },
      /multiple of subWindowSeconds/,
    );
    bad({ windowSize: 5 }, /drift\.windowSize/);
    bad({ alpha: 1 }, /drift\.alpha/);
    bad({ decisionMetric: 'ks' }, /drift\.decisionMetric/);
    bad({ maxTimestampSkewSeconds: -1 }, /drift\.maxTimestampSkewSeconds/);
  });
});
