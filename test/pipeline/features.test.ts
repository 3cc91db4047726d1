import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeFeatures,
  featureRecord,
  FeatureState,
  jsonCodec,
  noFaults,
  processBatch,
  TransactionGenerator,
  validateTransaction,
  type SourceRecord,
  type Transaction,
} from '../../pipeline/index.js';

const t0 = 1_700_000_000_000;

function tx(account: string, timeMs: number, amount: number, extra: Partial<Transaction> = {}) {
  return {
    transaction_id: `${account}-${timeMs}`,
    account_id: account,
    amount_usd: amount,
    balance_usd: 500,
    merchant_category_code: '5411',
    channel: 'ecommerce',
    device_fingerprint: null,
    event_time_ms: timeMs,
    ...extra,
  } satisfies Transaction;
}

describe('feature transform', () => {
  it('computes window counts and spend per account by hand-checked example', () => {
    const rows = [
      tx('a', t0, 10),
      tx('b', t0 + 1_000, 5),
      tx('a', t0 + 30_000, 20), // 30 s after the first: both in 1 min
      tx('a', t0 + 61_000, 40), // 61 s after the first: first leaves the 1-min window
      tx('a', t0 + 3_600_000 + 30_000, 1), // first three outside 1 h (window end excl. start)
    ];
    const c = computeFeatures(rows, new FeatureState());
    assert.deepEqual([...c.count1m], [1, 1, 2, 2, 1]);
    assert.deepEqual([...c.spend1m], [10, 5, 30, 60, 1]);
    assert.deepEqual([...c.count1h], [1, 1, 2, 3, 2]);
    assert.deepEqual([...c.spend1h], [10, 5, 30, 70, 41]);
    assert.deepEqual([...c.secondsSinceLast], [NaN, NaN, 30, 31, 3569]);
    assert.equal(c.amountLog1p[0], Math.log(11));
    assert.equal(c.amountToBalanceRatio[2], 20 / 500);
    assert.deepEqual(c.error, [undefined, undefined, undefined, undefined, undefined]);
  });

  it('flags high-risk merchant codes and caps the balance denominator at 1 USD', () => {
    const c = computeFeatures(
      [
        tx('a', t0, 50, { merchant_category_code: '7995', balance_usd: 0.2 }),
        tx('b', t0, 50, { merchant_category_code: '5812', balance_usd: -30 }),
      ],
      new FeatureState(),
    );
    assert.deepEqual([...c.highRiskMerchant], [1, 0]);
    assert.deepEqual([...c.amountToBalanceRatio], [50, 50]);
  });

  it('gives identical features one row at a time (per-event) and as one batch (micro-batch)', () => {
    const generator = new TransactionGenerator(42, 50, 'same');
    const rows: Transaction[] = [];
    for (let i = 0; i < 2000; i++) rows.push(generator.next(noFaults, t0 + i * 997).transaction);
    const batchState = new FeatureState();
    const batch = computeFeatures(rows, batchState);
    const eventState = new FeatureState();
    rows.forEach((row, i) => {
      const single = computeFeatures([row], eventState);
      assert.deepEqual(featureRecord(row, single, 0, t0), featureRecord(row, batch, i, t0));
    });
  });

  it('reports a non-finite feature as a compute error on that row only', () => {
    const rows = [tx('a', t0, 1.7e308), tx('a', t0 + 1, 1.7e308), tx('b', t0, 3)];
    const c = computeFeatures(rows, new FeatureState());
    assert.equal(c.error[0], undefined);
    assert.match(c.error[1] ?? '', /account_spend_usd_1m is Infinity/);
    assert.equal(c.error[2], undefined);
  });
});

describe('validation', () => {
  const now = t0;
  it('accepts a well-formed transaction, with or without device_fingerprint', () => {
    const ok = validateTransaction(tx('a', now, 12), now);
    assert.equal('errorType' in ok, false);
    const { device_fingerprint: _omit, ...without } = tx('a', now, 12);
    assert.equal('errorType' in validateTransaction(without, now), false);
  });

  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [1, 2], 'SCHEMA_VIOLATION', /an array/],
    [
      'missing field',
      { ...tx('a', now, 1), amount_usd: undefined },
      'SCHEMA_VIOLATION',
      /amount_usd is missing/,
    ],
    [
      'wrong type',
      { ...tx('a', now, 1), event_time_ms: '1' },
      'SCHEMA_VIOLATION',
      /event_time_ms is string/,
    ],
    ['negative amount', tx('a', now, -5), 'SEMANTIC_ERROR', /amount_usd is -5/],
    ['future time', tx('a', now + 300_001, 5), 'SEMANTIC_ERROR', /in the future/],
    ['bad channel', tx('a', now, 5, { channel: 'fax' }), 'SEMANTIC_ERROR', /channel 'fax'/],
    [
      'bad mcc',
      tx('a', now, 5, { merchant_category_code: '54' }),
      'SEMANTIC_ERROR',
      /not 4 digits/,
    ],
  ];
  for (const [name, value, type, message] of cases) {
    it(`classifies ${name} as ${type}`, () => {
      const result = validateTransaction(value, now);
      assert.ok('errorType' in result, 'rejected');
      assert.equal(result.errorType, type);
      assert.match(result.message, message);
    });
  }

  it('accepts an event time exactly at the skew limit', () => {
    assert.equal('errorType' in validateTransaction(tx('a', now + 300_000, 5), now), false);
  });
});

describe('processBatch', () => {
  it('turns every record into one feature or one DLQ message with the design headers', async () => {
    const codec = jsonCodec();
    const values = [
      Buffer.from(JSON.stringify(tx('a', t0, 5))),
      Buffer.from([0xff, 0x01]),
      Buffer.from(JSON.stringify(tx('a', t0, -1))),
      null,
    ];
    const records: SourceRecord[] = values.map((value, i) => ({
      topic: 'raw',
      partition: 2,
      offset: String(100 + i),
      key: Buffer.from('a'),
      value,
    }));
    const out = await processBatch(records, {
      codec,
      state: new FeatureState(),
      nowMs: t0,
      maxFutureSkewMs: 300_000,
    });
    assert.equal(out.features.length, 1);
    assert.deepEqual(out.dlqByType, { SCHEMA_VIOLATION: 2, SEMANTIC_ERROR: 1, COMPUTE_ERROR: 0 });
    const [malformed] = out.dlq;
    assert.deepEqual(malformed?.value, values[1]);
    assert.deepEqual(malformed?.key, Buffer.from('a'));
    assert.deepEqual(
      { ...malformed?.headers, 'pipewatch.error.message': undefined },
      {
        'pipewatch.error.type': 'SCHEMA_VIOLATION',
        'pipewatch.error.message': undefined,
        'pipewatch.source.topic': 'raw',
        'pipewatch.source.partition': '2',
        'pipewatch.source.offset': '101',
      },
    );
    const feature = JSON.parse(String(out.features[0]?.value)) as Record<string, unknown>;
    assert.equal(feature.transaction_id, `a-${t0}`);
    assert.equal(feature.computed_at_ms, t0);
  });
});
