// The seeded draws the no-drift simulations rest on (test/support/random.ts) follow their
// laws: checked against exact binomial probabilities and moments computed here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binomialDraw, multinomial, seededRandom } from '../support/random.js';

/** ln C(n, k) by summing logs (exact enough for n = 200). */
function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log((n - k + i) / i);
  return sum;
}

describe('seeded draws for the simulations', () => {
  it('Binomial(200, 0.3) through the beta method fits the exact pmf (chi-square, 30 df)', () => {
    const random = seededRandom(5);
    const [n, p, draws] = [200, 0.3, 20000];
    // Cells: k <= 45, each k in 46..74, k >= 75 (every expected count >= 70).
    const cell = (k: number) => (k <= 45 ? 0 : k >= 75 ? 30 : k - 45);
    const observed = new Float64Array(31);
    for (let r = 0; r < draws; r++) observed[cell(binomialDraw(random, n, p))]! += 1;
    const expected = new Float64Array(31);
    for (let k = 0; k <= n; k++) {
      expected[cell(k)]! +=
        draws * Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log(1 - p));
    }
    let statistic = 0;
    for (let c = 0; c < 31; c++) statistic += (observed[c]! - expected[c]!) ** 2 / expected[c]!;
    // scipy: chi2.isf(0.001, 30) = 59.703064304429944
    assert.ok(statistic < 59.703064304429944, `chi-square ${statistic} on 30 df`);
  });

  it('Binomial(1e6, 0.1) has the exact mean and variance (deep recursion)', () => {
    const random = seededRandom(6);
    const [n, p, draws] = [1_000_000, 0.1, 3000];
    const values = Array.from({ length: draws }, () => binomialDraw(random, n, p));
    const mean = values.reduce((a, b) => a + b, 0) / draws;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws - 1);
    const sigma2 = n * p * (1 - p);
    // 4 standard errors: mean σ/√R, sample variance σ²·√(2/R).
    assert.ok(Math.abs(mean - n * p) <= 4 * Math.sqrt(sigma2 / draws), `mean ${mean}`);
    assert.ok(Math.abs(variance / sigma2 - 1) <= 4 * Math.sqrt(2 / draws), `variance ${variance}`);
    assert.ok(values.every((v) => Number.isInteger(v) && v >= 0 && v <= n));
  });

  it('multinomial counts keep every row and the bin means', () => {
    const random = seededRandom(8);
    const probabilities = [0.5, 0.3, 0.15, 0.05];
    const sums = new Float64Array(4);
    for (let r = 0; r < 500; r++) {
      const counts = multinomial(random, 100_000, probabilities);
      assert.equal(
        counts.reduce((a, b) => a + b, 0),
        100_000,
      );
      counts.forEach((c, i) => (sums[i]! += c));
    }
    probabilities.forEach((p, i) => {
      const se = Math.sqrt((100_000 * p * (1 - p)) / 500);
      assert.ok(Math.abs(sums[i]! / 500 - 100_000 * p) <= 4 * se, `bin ${i}: ${sums[i]! / 500}`);
    });
  });
});
