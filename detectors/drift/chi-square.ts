/**
 * Chi-square distribution functions via the regularized incomplete gamma functions of Cephes
 * (igam/igamc, as scipy's `chdtrc` uses): the upper tail is summed directly by its continued
 * fraction, so tiny p-values keep full relative precision (1 − cdf would round to 0). Hand
 * ported because the library alternative costs ~0.3 s of module loading per CLI start.
 */
import { logGamma } from './log-gamma.js';

const MACHEP = 1.11022302462515654042e-16;
const MAXLOG = 7.09782712893383996843e2;
const BIG = 4.503599627370496e15;
const BIG_INVERSE = 2.22044604925031308085e-16;

/** Regularized lower incomplete gamma P(a, x). */
export function lowerGammaRegularized(a: number, x: number): number {
  if (x <= 0 || a <= 0) return 0;
  if (x > 1 && x > a) return 1 - upperGammaRegularized(a, x);
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (logPrefactor < -MAXLOG) return 0;
  // Power series: Σ x^n / (a (a+1) ... (a+n)).
  let r = a;
  let term = 1;
  let sum = 1;
  do {
    r += 1;
    term *= x / r;
    sum += term;
  } while (term / sum > MACHEP);
  return (sum * Math.exp(logPrefactor)) / a;
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x). */
export function upperGammaRegularized(a: number, x: number): number {
  if (x <= 0 || a <= 0) return 1;
  if (x < 1 || x < a) return 1 - lowerGammaRegularized(a, x);
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (logPrefactor < -MAXLOG) return 0;
  // Continued fraction (Cephes igamc), renormalised when the convergents grow large.
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let answer = pkm1 / qkm1;
  let change: number;
  do {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    if (qk !== 0) {
      const ratio = pk / qk;
      change = Math.abs((answer - ratio) / ratio);
      answer = ratio;
    } else {
      change = 1;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIG_INVERSE;
      pkm1 *= BIG_INVERSE;
      qkm2 *= BIG_INVERSE;
      qkm1 *= BIG_INVERSE;
    }
  } while (change > MACHEP);
  return answer * Math.exp(logPrefactor);
}

/** P(X > x) for X ~ χ²(degreesOfFreedom); 1 when degreesOfFreedom is 0 and x <= 0. */
export function chiSquareSf(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) return x > 0 ? 0 : 1;
  if (!(x > 0)) return 1;
  return upperGammaRegularized(degreesOfFreedom / 2, x / 2);
}

function chiSquarePdf(x: number, k: number): number {
  return Math.exp((k / 2 - 1) * Math.log(x) - x / 2 - (k / 2) * Math.LN2 - logGamma(k / 2));
}

/**
 * The (1 − alpha) quantile of χ²(degreesOfFreedom): the critical value of a level-alpha test.
 * Newton steps on the survival function inside a shrinking bracket, to full precision.
 */
export function chiSquareCritical(alpha: number, degreesOfFreedom: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const k = degreesOfFreedom;
  if (!(k > 0)) return 0;
  let lo = 0;
  let hi = Math.max(1, k);
  while (chiSquareSf(hi, k) > alpha) {
    lo = hi;
    hi *= 2;
  }
  let x = (lo + hi) / 2;
  for (let iteration = 0; iteration < 200; iteration++) {
    const f = chiSquareSf(x, k) - alpha;
    if (f === 0) return x;
    if (f > 0) lo = x;
    else hi = x;
    const pdf = chiSquarePdf(x, k);
    let next = pdf > 0 ? x + f / pdf : Number.NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-15 * x || hi - lo <= 1e-15 * x) return next;
    x = next;
  }
  return x;
}
