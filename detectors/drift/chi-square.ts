/**
 * Chi-square distribution functions via the regularized incomplete gamma functions of Cephes
 * (igam/igamc, as scipy's `chdtrc` uses): the upper tail is summed directly by its continued
 * fraction, so tiny p-values keep full relative precision (1 − cdf would round to 0). Hand
 * ported because the library alternative costs ~0.3 s of module loading per CLI start.
 *
 * Every loop is bounded: past its cap, or for an argument it cannot compute accurately, a
 * function throws NUMERIC_NO_CONVERGENCE rather than spinning or returning a wrong number
 * (in float64 `r += 1` stops changing r near 2^53, and the series then never ends).
 */
import { PipewatchError } from '../../common/index.js';
import { logGamma } from './log-gamma.js';

const MACHEP = 1.11022302462515654042e-16;
const MAXLOG = 7.09782712893383996843e2;
const BIG = 4.503599627370496e15;
const BIG_INVERSE = 2.22044604925031308085e-16;

/**
 * Largest shape a (degrees of freedom / 2) computed. The prefactor a·ln x − x − ln Γ(a) cancels
 * terms of size a·ln a, so the relative error grows with a; measured against scipy's chi2.sf:
 * 1e-11 at a = 1e4, 2e-10 at 1e5, 7e-10 at 1e6, 3e-8 at 1e7. Drift tables have at most a few
 * thousand columns, far below.
 */
export const MAX_GAMMA_SHAPE = 1e6;

/**
 * Iteration cap of the series and of the continued fraction. Near x ≈ a the series needs about
 * 8·√a terms (7,700 at MAX_GAMMA_SHAPE), the continued fraction fewer; 100,000 leaves a wide
 * margin and bounds one call to about a millisecond.
 */
export const MAX_GAMMA_ITERATIONS = 100_000;

function noConvergence(
  routine: string,
  message: string,
  details: Record<string, unknown>,
): PipewatchError {
  return new PipewatchError('NUMERIC_NO_CONVERGENCE', `${routine}: ${message}`, {
    routine,
    ...details,
  });
}

/** NaN or infinite shapes, and shapes past MAX_GAMMA_SHAPE, have no accurate answer here. */
function checkShape(routine: string, a: number, details: Record<string, unknown>): void {
  if (Number.isNaN(a) || a > MAX_GAMMA_SHAPE) {
    throw noConvergence(routine, `shape a = ${a} is outside (0, ${MAX_GAMMA_SHAPE}]`, details);
  }
}

/** Regularized lower incomplete gamma P(a, x); NaN when x is NaN (as scipy's gammainc). */
export function lowerGammaRegularized(
  a: number,
  x: number,
  maxIterations = MAX_GAMMA_ITERATIONS,
): number {
  checkShape('lowerGammaRegularized', a, { a, x });
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0 || a <= 0) return 0;
  if (x === Infinity) return 1;
  if (x > 1 && x > a) return 1 - upperGammaRegularized(a, x, maxIterations);
  const logPrefactor = a * Math.log(x) - x - logGamma(a);
  if (logPrefactor < -MAXLOG) return 0;
  // Power series: Σ x^n / (a (a+1) ... (a+n)).
  let r = a;
  let term = 1;
  let sum = 1;
  for (let iteration = 1; term / sum > MACHEP; iteration++) {
    if (iteration > maxIterations) {
      throw noConvergence(
        'lowerGammaRegularized',
        `series did not converge in ${maxIterations} terms`,
        {
          a,
          x,
          iterations: maxIterations,
        },
      );
    }
    r += 1;
    term *= x / r;
    sum += term;
  }
  return finite('lowerGammaRegularized', (sum * Math.exp(logPrefactor)) / a, a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x); NaN when x is NaN. */
export function upperGammaRegularized(
  a: number,
  x: number,
  maxIterations = MAX_GAMMA_ITERATIONS,
): number {
  checkShape('upperGammaRegularized', a, { a, x });
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0 || a <= 0) return 1;
  if (x === Infinity) return 0;
  if (x < 1 || x < a) return 1 - lowerGammaRegularized(a, x, maxIterations);
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
  let change = Infinity;
  for (let iteration = 1; !(change <= MACHEP); iteration++) {
    // `!(<=)` also keeps going on NaN, so a NaN convergent ends at the cap, never as an answer.
    if (iteration > maxIterations || Number.isNaN(change)) {
      throw noConvergence(
        'upperGammaRegularized',
        Number.isNaN(change)
          ? `continued fraction produced NaN after ${iteration - 1} terms`
          : `continued fraction did not converge in ${maxIterations} terms`,
        { a, x, iterations: iteration - 1 },
      );
    }
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
  }
  return finite('upperGammaRegularized', answer * Math.exp(logPrefactor), a, x);
}

function finite(routine: string, value: number, a: number, x: number): number {
  if (!Number.isFinite(value)) {
    throw noConvergence(routine, `result ${value} is not finite`, { a, x });
  }
  return value;
}

/**
 * P(X > x) for X ~ χ²(degreesOfFreedom); 1 when degreesOfFreedom is 0 and x <= 0. NaN when x is
 * NaN (so a NaN statistic is never read as "no drift"); NaN or infinite degrees of freedom throw.
 */
export function chiSquareSf(x: number, degreesOfFreedom: number): number {
  checkShape('chiSquareSf', degreesOfFreedom / 2, { x, degreesOfFreedom });
  if (Number.isNaN(x)) return Number.NaN;
  if (!(degreesOfFreedom > 0)) return x > 0 ? 0 : 1;
  if (!(x > 0)) return 1;
  return upperGammaRegularized(degreesOfFreedom / 2, x / 2);
}

function chiSquarePdf(x: number, k: number): number {
  return Math.exp((k / 2 - 1) * Math.log(x) - x / 2 - (k / 2) * Math.LN2 - logGamma(k / 2));
}

/** Doublings of the upper bracket: from max(1, k), 1100 reach past Number.MAX_VALUE. */
const MAX_BRACKET_DOUBLINGS = 1100;
/** Newton steps, each falling back to bisection: 200 halvings shrink any bracket below 1 ulp. */
const MAX_QUANTILE_STEPS = 200;

/**
 * The (1 − alpha) quantile of χ²(degreesOfFreedom): the critical value of a level-alpha test.
 * Newton steps on the survival function inside a shrinking bracket, to full precision.
 */
export function chiSquareCritical(alpha: number, degreesOfFreedom: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const k = degreesOfFreedom;
  checkShape('chiSquareCritical', k / 2, { alpha, degreesOfFreedom: k });
  if (!(k > 0)) return 0;
  let lo = 0;
  let hi = Math.max(1, k);
  for (let doublings = 0; chiSquareSf(hi, k) > alpha; doublings++) {
    if (doublings >= MAX_BRACKET_DOUBLINGS) {
      throw noConvergence('chiSquareCritical', 'no upper bracket found', { alpha, k, hi });
    }
    lo = hi;
    hi *= 2;
  }
  let x = (lo + hi) / 2;
  for (let iteration = 0; iteration < MAX_QUANTILE_STEPS; iteration++) {
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
  throw noConvergence('chiSquareCritical', `not converged in ${MAX_QUANTILE_STEPS} steps`, {
    alpha,
    k,
    lo,
    hi,
  });
}
