import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PipewatchError } from '../../../common/index.js';
import {
  categoricalReferenceFromCounts,
  categoricalReferenceFromValues,
  numericReferenceFromHistogram,
  numericReferenceFromQuantiles,
  numericReferenceFromValues,
  referenceFingerprint,
  referenceFromJson,
  referenceToJson,
} from '../../../detectors/index.js';

function rejects(fn: () => unknown, field: string) {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof PipewatchError);
    assert.equal(error.code, 'REFERENCE_INVALID');
    assert.equal(error.details.field, field, error.message);
    assert.ok(error.message.startsWith(field), error.message);
    return true;
  });
}

describe('numeric reference from raw values', () => {
  it('freezes type-7 edges (numpy.quantile) and counts bins [e_i, e_i+1)', () => {
    const values = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, null, null];
    const r = numericReferenceFromValues(values, { bins: 4, fineBins: 20 });
    // numpy.quantile(range(1, 11), [.25, .5, .75]) = [3.25, 5.5, 7.75]
    assert.deepEqual(Array.from(r.edges), [3.25, 5.5, 7.75]);
    assert.deepEqual(Array.from(r.counts), [3, 2, 2, 3]);
    assert.equal(r.n, 10);
    assert.equal(r.nullCount, 2);
    assert.equal(r.min, 1);
    assert.equal(r.max, 10);
    const fine = new Set(r.fineEdges);
    for (const e of [...r.edges, r.min, r.max]) assert.ok(fine.has(e), `fine edges hold ${e}`);
    assert.equal(
      r.fineCounts.reduce((a, b) => a + b, 0),
      10,
    );
    assert.equal(r.fineCounts[0], 0, 'nothing of the reference lies below its minimum');
  });

  it('rejects non-finite values, naming the index, and empty samples', () => {
    rejects(() => numericReferenceFromValues([1, 2, Infinity]), 'values[2]');
    rejects(() => numericReferenceFromValues([1, Number.NaN]), 'values[1]');
    rejects(() => numericReferenceFromValues([null, null]), 'values');
    rejects(() => numericReferenceFromValues([1, 2], { bins: 1 }), 'bins');
    rejects(() => numericReferenceFromValues([1, 2], { fineBins: 2.5 }), 'fineBins');
  });
});

describe('numeric reference from a histogram', () => {
  it('keeps the histogram bins as they are (numpy.histogram layout)', () => {
    const r = numericReferenceFromHistogram({ edges: [0, 1, 2, 4], counts: [5, 3, 2] });
    assert.deepEqual(Array.from(r.edges), [1, 2]);
    assert.deepEqual(Array.from(r.counts), [5, 3, 2]);
    assert.deepEqual(Array.from(r.fineEdges), [0, 1, 2]);
    assert.deepEqual(Array.from(r.fineCounts), [0, 5, 3, 2]);
    assert.equal(r.min, 0);
    assert.equal(r.max, 4);
    assert.equal(r.n, 10);
  });

  it('rejects malformed histograms with the field at fault', () => {
    rejects(
      () => numericReferenceFromHistogram({ edges: [0, 1], counts: [1, 2] }),
      'histogram.counts',
    );
    rejects(
      () => numericReferenceFromHistogram({ edges: [0, 2, 1], counts: [1, 2] }),
      'histogram.edges[2]',
    );
    rejects(
      () => numericReferenceFromHistogram({ edges: [0, 1, 2], counts: [1, -2] }),
      'histogram.counts[1]',
    );
    rejects(
      () => numericReferenceFromHistogram({ edges: [0, 1], counts: [0] }),
      'histogram.counts',
    );
    rejects(() => numericReferenceFromHistogram({ edges: [0], counts: [] }), 'histogram.edges');
  });
});

describe('numeric reference from a quantile summary', () => {
  it('matches type-7 edges when given every order statistic', () => {
    const values = [1, 2, 3, 4, 5];
    const r = numericReferenceFromQuantiles(
      { probabilities: [0, 0.25, 0.5, 0.75, 1], values, n: 5 },
      { bins: 4 },
    );
    assert.deepEqual(
      Array.from(r.edges),
      Array.from(numericReferenceFromValues(values, { bins: 4 }).edges),
    );
    // The piecewise-linear CDF spreads the five values uniformly over [1, 5].
    assert.deepEqual(Array.from(r.counts), [1.25, 1.25, 1.25, 1.25]);
    assert.equal(r.min, 1);
    assert.equal(r.max, 5);
  });

  it('treats tied quantiles as a point mass', () => {
    const r = numericReferenceFromQuantiles(
      { probabilities: [0, 0.5, 0.9, 1], values: [0, 1, 1, 2], n: 100 },
      { bins: 2 },
    );
    assert.deepEqual(Array.from(r.edges), [1]);
    assert.deepEqual(Array.from(r.counts), [50, 50]);
    // fine bins: (-inf, 0), [0, 1), [1, 2), [2, inf): the tie puts 40 % at exactly 1.
    assert.deepEqual(Array.from(r.fineEdges), [0, 1, 2]);
    assert.deepEqual(
      Array.from(r.fineCounts).map((c) => Math.round(c * 1e9) / 1e9),
      [0, 50, 50, 0],
    );
  });

  it('rejects summaries without min and max or out of order', () => {
    const ok = { probabilities: [0, 0.5, 1], values: [0, 1, 2], n: 3 };
    rejects(
      () => numericReferenceFromQuantiles({ ...ok, probabilities: [0.1, 0.5, 1] }),
      'quantiles.probabilities',
    );
    rejects(
      () =>
        numericReferenceFromQuantiles({
          ...ok,
          probabilities: [0, 0.5, 0.5, 1],
          values: [0, 1, 1, 2],
        }),
      'quantiles.probabilities[2]',
    );
    rejects(
      () => numericReferenceFromQuantiles({ ...ok, values: [0, 3, 2] }),
      'quantiles.values[2]',
    );
    rejects(() => numericReferenceFromQuantiles({ ...ok, values: [0, 1] }), 'quantiles.values');
    rejects(() => numericReferenceFromQuantiles({ ...ok, n: 0 }), 'quantiles.n');
  });
});

describe('categorical reference', () => {
  it('counts categories in first-seen order and nulls apart', () => {
    const r = categoricalReferenceFromValues(['b', 'a', 'b', null, 'c', 'b']);
    assert.deepEqual(r.categories, ['b', 'a', 'c']);
    assert.deepEqual(Array.from(r.counts), [3, 1, 1]);
    assert.equal(r.n, 5);
    assert.equal(r.nullCount, 1);
  });

  it('accepts category counts and rejects repeats', () => {
    const r = categoricalReferenceFromCounts({ categories: ['x', 'y'], counts: [2, 0] });
    assert.equal(r.n, 2);
    rejects(
      () => categoricalReferenceFromCounts({ categories: ['x', 'x'], counts: [1, 1] }),
      'histogram.categories[1]',
    );
    rejects(
      () => categoricalReferenceFromCounts({ categories: ['x'], counts: [1, 2] }),
      'histogram.counts',
    );
  });
});

describe('reference JSON form', () => {
  it('round-trips and keeps the fingerprint', () => {
    const r = numericReferenceFromValues([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], { bins: 3 });
    const back = referenceFromJson(JSON.parse(JSON.stringify(referenceToJson(r))));
    assert.deepEqual(back, r);
    assert.equal(referenceFingerprint(back), referenceFingerprint(r));
    const other = numericReferenceFromValues([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 6], { bins: 3 });
    assert.notEqual(referenceFingerprint(other), referenceFingerprint(r));
    const c = categoricalReferenceFromValues(['a', 'b']);
    assert.deepEqual(referenceFromJson(referenceToJson(c)), c);
  });

  it('refuses coarse edges that are not fine edges', () => {
    const json = { ...referenceToJson(numericReferenceFromValues([1, 2, 3, 4])), edges: [2.1] };
    assert.throws(() => referenceFromJson({ ...json, counts: [1, 3] }), /coarse edge/);
  });
});
