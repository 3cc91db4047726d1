/**
 * Survival function of the two-sided one-sample Kolmogorov–Smirnov statistic D_n, i.e. scipy's
 * `kstwo.sf(x, n)`, which ks_2samp uses at n = round(NM/(N+M)) in its asymptotic mode. The
 * regime choice follows Simard & L'Ecuyer (2011) exactly as scipy's `_kolmogn`
 * (scipy/stats/_ksstats.py): Ruben–Gambino closed forms at the ends, 2·smirnov for large x,
 * the Durbin matrix (Marsaglia–Tsang–Wang) or Pomeranz recursion for small n, Pelz–Good
 * otherwise.
 */
import { durbinMatrixCdf } from './kolmogorov-durbin.js';
import { pelzGoodCdf, pomeranzCdf } from './kolmogorov-series.js';
import { smirnovSf } from './smirnov.js';

const clip = (p: number): number => Math.min(1, Math.max(0, p));

/** P(D_n > x) for the two-sided one-sample KS statistic with integer n >= 1. */
export function kolmogorovSf(n: number, x: number): number {
  if (!Number.isInteger(n) || n <= 0)
    throw new RangeError(`n must be a positive integer, got ${n}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    return clip(1 - rubenGambinoLowerCdf(n, t));
  }
  if (t >= n - 1) return clip(2 * (1 - x) ** n);
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nxSquared = t * x;
  if (n <= 140) {
    if (nxSquared <= 0.754693) return clip(1 - durbinMatrixCdf(n, x));
    if (nxSquared <= 4) return clip(1 - pomeranzCdf(n, x));
    return clip(2 * smirnovSf(n, x));
  }
  if (nxSquared >= 370) return 0;
  if (nxSquared >= 2.2) return clip(2 * smirnovSf(n, x));
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? durbinMatrixCdf(n, x) : pelzGoodCdf(n, x);
  return clip(1 - cdf);
}

/** CDF for 1/(2n) < x <= 1/n: n!/n^n · (2t − 1)^n with t = nx. */
function rubenGambinoLowerCdf(n: number, t: number): number {
  if (n <= 140) {
    let p = 1;
    for (let i = 1; i <= n; i++) p *= (i / n) * (2 * t - 1);
    return p;
  }
  return Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
}

// Stirling series coefficients B_{2j}/(2j)/(2j−1), j = 8..1, highest power first.
const STIRLING = [
  -2.955065359477124183e-2, 6.4102564102564102564e-3, -1.9175269175269175269e-3,
  8.4175084175084175084e-4, -5.952380952380952381e-4, 7.9365079365079365079e-4,
  -2.7777777777777777778e-3, 8.3333333333333333333e-2,
];

/** log(n!/n^n) by Stirling, with n·log(n) removed up front to avoid cancellation. */
export function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  for (const c of STIRLING) poly = poly * (rn / n) + c;
  return Math.log(n) / 2 - n + Math.log(2 * Math.PI) / 2 + rn * poly;
}
