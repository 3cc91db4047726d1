/**
 * Chi-square distribution functions, delegated to stdlib's regularized incomplete gamma so the
 * upper tail keeps full relative precision for tiny p-values (1 − cdf would round to 0).
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';

/** P(X > x) for X ~ χ²(degreesOfFreedom); 1 when degreesOfFreedom is 0 and x <= 0. */
export function chiSquareSf(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) return x > 0 ? 0 : 1;
  if (!(x > 0)) return 1;
  return gammainc(x / 2, degreesOfFreedom / 2, true, true);
}

/** The (1 − alpha) quantile of χ²(degreesOfFreedom): the critical value of a level-alpha test. */
export function chiSquareCritical(alpha: number, degreesOfFreedom: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(degreesOfFreedom > 0)) return 0;
  return chisquareQuantile(1 - alpha, degreesOfFreedom);
}
