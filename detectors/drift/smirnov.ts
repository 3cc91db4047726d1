/**
 * Survival function of the one-sided one-sample Smirnov statistic D_n+, P(D_n+ >= x), by the
 * Birnbaum–Tingey sum as scipy.special's `smirnov` (cephes kolmogorov.c): the same special
 * cases and early stop, but each term is formed in log space in plain doubles rather than
 * double-double; the terms are all positive, so the sum loses no precision to cancellation.
 */

const MIN_LOG = -708.3964185322641;
const MAX_COMPUTE_N = 1000000;
const EPSILON = 2 ** -52;

export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  let nxFloor = Math.floor(nx);
  let alpha = nx - nxFloor;
  if (alpha >= 1) {
    nxFloor += 1;
    alpha = 0;
  }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    // x <= 1/n: cdf = x(1 + x)^(n−1)
    return 1 - x * (1 + x) ** (n - 1);
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return (1 - x) ** n;
  if (n > MAX_COMPUTE_N) {
    const logp = -((6 * nx + 1) ** 2) / 18 / n;
    return logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp);
  }
  return x * lowerSum(n, x, n - nxFloor - 1);
}

/** Σ_{v=0..last} C(n, v)·(1 − x − v/n)^(n−v)·(x + v/n)^(v−1), stopping once the tail is negligible. */
function lowerSum(n: number, x: number, last: number): number {
  let logBinomial = 0;
  let sum = 0;
  const nTerms = last + 1;
  for (let v = 0; v < nTerms; v++) {
    const below = (n - v - n * x) / n; // 1 − x − v/n
    const above = x + v / n;
    const term = Math.exp(logBinomial + (n - v) * Math.log(below) + (v - 1) * Math.log(above));
    sum += term;
    if (term > 0 && 4 * (nTerms - v) * term < EPSILON * sum && v !== nTerms - 1) break;
    if (term === 0 && v > n / 2) break;
    logBinomial += Math.log((n - v) / (v + 1));
  }
  return sum;
}
