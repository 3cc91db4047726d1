/**
 * Exact null distribution of the two-sided two-sample KS statistic, following scipy's
 * `_attempt_exact_2kssamp` (scipy/stats/_stats_py.py and _stats_pythran.py): Hodges' lattice
 * path counting with Viehmann's recursion for 1 − p, scaled column by column so no binomial
 * coefficient is ever formed.
 */

/**
 * P(D_{n1,n2} >= h/lcm(n1, n2)) under the null, for integer h in [0, lcm]. Returns NaN when the
 * recursion leaves [0, 1] (scipy then falls back to the asymptotic law).
 */
export function ksTwoSampleExactSf(n1: number, n2: number, h: number): number {
  if (h === 0) return 1;
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideInside(n1, n2, gcd(n1, n2), h);
  return p >= 0 && p <= 1 ? p : Number.NaN;
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * n1 = n2 = n: P = 2·Σ_k (−1)^(k+1) C(2n, n − kh)/C(2n, n), evaluated Horner-style from the
 * innermost term to avoid the subtractive cancellation of the plain alternating sum.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of lattice paths from (0,0) to (m,n) leaving the band |x/m − y/n| < h/lcm, computed
 * as a sliding window over one column; entries hold 1 − (inside paths)/C(x+y, y) directly.
 */
function probOutsideInside(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  a.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = ((a[jj + minj - lastminj] as number) * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return a[maxj - minj - 1] as number;
}
