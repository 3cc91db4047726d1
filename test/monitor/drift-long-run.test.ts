import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { DecodedRecord } from '../../collector/index.js';
import {
  categoricalReferenceFromValues,
  numericReferenceFromValues,
} from '../../detectors/index.js';
import { DriftRuntime, ReadingsBoard } from '../../monitor/index.js';
import { memoryReferenceStore } from '../../store/index.js';
import { normalDraw, seededRandom, weightedDraw } from '../support/drift.js';

const t0 = 1_700_000_000_000;
const channels = { web: 5, pos: 3, app: 2 };

/** A record stamped when it is read (values are windowed by record time). */
function record(payload: Record<string, unknown>, timestampMs: number): DecodedRecord {
  return {
    topic: 'f',
    partition: 0,
    offset: '0',
    timestampMs,
    key: null,
    headers: {},
    value: null,
    payload,
    schemaId: undefined,
  };
}

describe('drift monitor over a long run without drift', () => {
  it('flags nothing in 2000 window positions, and its PSI test rejects at about alpha', (t) => {
    const random = seededRandom(99);
    const store = memoryReferenceStore();
    store.register(
      {
        topic: 'f',
        feature: 'amount',
        source: 'values',
        reference: numericReferenceFromValues(
          Array.from({ length: 5000 }, () => normalDraw(random, 100, 15)),
        ),
      },
      t0,
    );
    store.register(
      {
        topic: 'f',
        feature: 'channel',
        source: 'values',
        reference: categoricalReferenceFromValues(
          Array.from({ length: 5000 }, () => weightedDraw(random, channels)),
        ),
      },
      t0,
    );
    const monitor = new DriftRuntime({
      referenceStore: store,
      board: new ReadingsBoard(),
      logger: pino({ level: 'silent' }),
      windows: [{ windowSeconds: 4, subWindowSeconds: 1 }],
      thresholds: { consecutiveWindows: 3 },
      minWindowValues: 500,
      evaluateIntervalMs: 1000,
      persistIntervalMs: 1000,
    });
    monitor.refresh(t0);
    const positions = 2000;
    const perSecond = 300;
    let decided = 0;
    let drifting = 0;
    const rejected = { amount: 0, channel: 0 };
    for (let s = 0; s < positions; s++) {
      const nowMs = t0 + s * 1000;
      for (let i = 0; i < perSecond; i++) {
        monitor.sink.onRecord(
          record(
            { amount: normalDraw(random, 100, 15), channel: weightedDraw(random, channels) },
            nowMs + i,
          ),
          nowMs + i,
        );
      }
      monitor.evaluate(nowMs + 999);
      for (const state of monitor.features()) {
        const evaluation = state.windows[0]!.evaluation;
        assert.equal(state.detected, false, `${state.feature} detected at position ${s}`);
        if (!evaluation.decided) continue;
        decided++;
        if (evaluation.drift) drifting++;
        const psi = evaluation.verdicts.find((v) => v.metric === 'psi')!;
        if (psi.significant) rejected[state.feature as 'amount' | 'channel']++;
      }
    }
    const perFeature = decided / 2;
    t.diagnostic(
      `decided ${decided}, drifting ${drifting}, PSI test rejections: amount ${rejected.amount / perFeature}, channel ${rejected.channel / perFeature}`,
    );
    assert.ok(decided >= 2 * (positions - 2));
    assert.equal(drifting, 0);
    // The calibrated test alone rejects about alpha = 0.05 of overlapping windows; the effect
    // threshold (PSI >= 0.1) is what keeps a no-drift run silent.
    for (const count of Object.values(rejected)) assert.ok(count / perFeature < 0.15);
  });
});
