/**
 * Two more regimes of scipy's `_kolmogn` for P(D_n <= x): the Pomeranz (1974) recursion for
 * small n, and the Pelz–Good (1976) expansion for large n and small x.
 */
import { ldexp } from './kolmogorov-durbin.js';

const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;

/** Pomeranz: rows are convolutions of the previous row with near-Poisson weights; n!·V[n]. */
export function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = powerSeries(npwrs, g / n);
  const twogpower = powerSeries(npwrs, (2 * g) / n);
  const onem2gpower = powerSeries(npwrs, (1 - 2 * g) / n);
  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let exponent = 0;
  let [j1, j2] = pomeranzBounds(0, n, ll, ceilf, roundf);
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0s, v1s] = [v1s, v0s];
    v1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 === 1 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 <= 0) continue;
    const from = k1 - v0s;
    const length = Math.min(ln2, npwrs - from);
    const powersLength = Math.min(ln2, npwrs);
    const convStart = j1 - k1;
    const convLen = j2 - j1 + 1;
    let max = 0;
    for (let out = 0; out < convLen; out++) {
      const c = convStart + out; // index into the full convolution of the two slices
      let sum = 0;
      for (let a = Math.max(0, c - powersLength + 1); a <= Math.min(c, length - 1); a++) {
        sum += (v0[from + a] as number) * (pwrs[c - a] as number);
      }
      v1[out] = sum;
      max = Math.max(max, sum);
    }
    if (max > 0 && max < SCALE_DOWN) {
      for (let j = 0; j < v1.length; j++) v1[j]! *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
    v1s = v0s + j1 - k1;
  }
  let answer = v1[n - v1s] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(answer) > SCALE_UP) {
      answer *= SCALE_DOWN;
      exponent += SCALE_EXPONENT;
    }
    answer *= m;
  }
  return Math.min(1, Math.max(0, ldexp(answer, exponent)));
}

/** (r^m)/m! for m = 0..count−1: Poisson weights without the normalising factor. */
function powerSeries(count: number, r: number): Float64Array {
  const out = new Float64Array(count);
  out[0] = 1;
  for (let m = 1; m < count; m++) out[m] = ((out[m - 1] as number) * r) / m;
  return out;
}

/** First and last non-zero column of row i (scipy's `_pomeranz_compute_j1j2`). */
function pomeranzBounds(
  i: number,
  n: number,
  ll: number,
  ceilf: number,
  roundf: number,
): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    [j1, j2] = [-ll - ceilf - 1, ll + ceilf - 1];
  } else {
    const half = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (half === n + 1) [j1, j2] = [n - ll - ceilf - 1, n + ll + ceilf - 1];
      else [j1, j2] = [half - 1 - ll - roundf - 1, half + ll - 1 + ceilf - 1];
    } else {
      [j1, j2] = [half - 1 - ll - 1, half + ll + roundf - 1];
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT2PI = Math.sqrt(2 * Math.PI);

/**
 * Pelz–Good: the Li-Chien/Korolyuk expansion K0 + K1/√n + K2/n + K3/n^1.5 at z = x√n, each
 * term rewritten through Jacobi theta identities so it converges fast for small z.
 */
export function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  const terms = [0, 0, 0, 0];
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = q ** (8 * k);
    const coefficients = [
      1,
      k1a + k1b * m2,
      k2a + k2b * m2 + k2c * m4,
      k3a + k3b * m2 + k3c * m4 + k3d * m6,
    ];
    for (let i = 0; i < 4; i++)
      terms[i] = (terms[i] as number) * qpower + (coefficients[i] as number);
  }
  const divisors = [z, 6 * z4, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++)
    terms[i] = ((terms[i] as number) * q * SQRT2PI) / (divisors[i] as number);
  q = Math.exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = Math.sqrt(3) * z;
  for (let k = maxk; k > 0; k--) {
    const k2 = k * k;
    const qk = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qk;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  terms[2] = (terms[2] as number) + (k2extra * PI2 * SQRT2PI) / (-36 * z3);
  terms[3] = (terms[3] as number) + (k3extra * PI2 * SQRT2PI) / (216 * z6);
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += (terms[i] as number) / n ** (i / 2);
  return sum;
}
