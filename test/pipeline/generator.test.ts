import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mergeFaults,
  noFaults,
  Random,
  TransactionGenerator,
  type FaultKind,
} from '../../pipeline/index.js';

const now = 1_700_000_000_000;

function draw(seed: number, knobs: unknown, n: number) {
  const g = new TransactionGenerator(seed, 100, 'p');
  const f = mergeFaults(noFaults, knobs);
  return Array.from({ length: n }, () => g.next(f, now));
}

describe('transaction generator', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    assert.deepEqual(draw(7, {}, 50), draw(7, {}, 50));
    assert.notDeepEqual(draw(7, {}, 50), draw(8, {}, 50));
  });

  it('shifts amount by exactly addUsd after scaling, record by record (same draws)', () => {
    const base = draw(3, {}, 500);
    const shifted = draw(3, { amountShift: { addUsd: 25, scale: 2 } }, 500);
    base.forEach((b, i) => {
      const s = shifted[i]!;
      // Amounts are rounded to cents independently, so allow one cent.
      assert.ok(Math.abs(s.transaction.amount_usd - (2 * b.transaction.amount_usd + 25)) <= 0.011);
      assert.equal(s.transaction.account_id, b.transaction.account_id);
    });
  });

  it('follows a changed category mix and null rate', () => {
    const records = draw(
      5,
      {
        channelWeights: { atm: 1, ecommerce: 0 },
        merchantCategoryWeights: { '7995': 1 },
        deviceFingerprintNullRate: 1,
      },
      300,
    );
    assert.ok(records.every((r) => r.transaction.channel === 'atm'));
    assert.ok(records.every((r) => r.transaction.merchant_category_code === '7995'));
    assert.ok(records.every((r) => r.transaction.device_fingerprint === null));
    const none = draw(5, { deviceFingerprintNullRate: 0 }, 300);
    assert.ok(none.every((r) => typeof r.transaction.device_fingerprint === 'string'));
  });

  it('injects disjoint faults with the configured probabilities', () => {
    const knobs = {
      malformedRatio: 0.1,
      negativeAmountRatio: 0.1,
      futureTimestampRatio: 0.1,
      unregisteredSchemaIdRatio: 0.1,
      incompatibleSchemaRatio: 0.1,
    };
    const records = draw(11, knobs, 20_000);
    const counts = new Map<FaultKind, number>();
    for (const r of records) counts.set(r.fault, (counts.get(r.fault) ?? 0) + 1);
    // Binomial(20000, 0.1): sd ≈ 42; 5 sd bounds.
    for (const fault of [
      'malformed',
      'negative_amount',
      'future_timestamp',
      'unregistered_schema_id',
      'incompatible_schema',
    ] as const) {
      assert.ok(Math.abs((counts.get(fault) ?? 0) - 2000) < 212, `${fault}: ${counts.get(fault)}`);
    }
    for (const r of records) {
      if (r.fault === 'negative_amount') assert.ok(r.transaction.amount_usd < 0);
      if (r.fault === 'future_timestamp')
        assert.equal(r.transaction.event_time_ms, now + 3_600_000);
      if (r.fault === 'malformed') assert.equal(r.malformedBytes?.[0], 0xff);
      if (r.fault === 'none') assert.ok(r.transaction.amount_usd >= 0);
    }
  });

  it('rejects bad knobs with the key named and keeps nothing half-applied', () => {
    assert.throws(() => mergeFaults(noFaults, { malformedRatio: 1.5 }), /malformedRatio/);
    assert.throws(
      () => mergeFaults(noFaults, { malformedRatio: 0.6, negativeAmountRatio: 0.6 }),
      /sum must be <= 1/,
    );
    assert.throws(() => mergeFaults(noFaults, { bogus: 1 }), /bogus/);
    const partial = mergeFaults(noFaults, { amountShift: { addUsd: 5 } });
    assert.deepEqual(partial.amountShift, { addUsd: 5, scale: 1 });
    assert.equal(mergeFaults(partial, { channelWeights: null }).channelWeights, undefined);
  });

  it('draws standard normals with mean 0 and variance 1', () => {
    const r = new Random(1);
    let sum = 0;
    let sumSq = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      sum += x;
      sumSq += x * x;
    }
    assert.ok(Math.abs(sum / n) < 0.015);
    assert.ok(Math.abs(sumSq / n - 1) < 0.02);
  });
});

describe('transaction generator draw stability', () => {
  it('keeps accounts and base draws aligned when knobs change the null rate or add faults', () => {
    const base = draw(21, {}, 400);
    const changed = draw(21, { deviceFingerprintNullRate: 1, malformedRatio: 0.3 }, 400);
    base.forEach((b, i) => {
      const c = changed[i]!;
      assert.equal(c.transaction.account_id, b.transaction.account_id);
      if (c.fault === 'none') assert.equal(c.transaction.amount_usd, b.transaction.amount_usd);
    });
  });
});
