/**
 * Durbin's matrix algorithm for P(D_n <= d) in the Marsaglia–Tsang–Wang form, as scipy's
 * `_kolmogn_DMTW`: write d = (k − h)/n, build the (2k−1)² matrix H and take the k-th diagonal
 * entry of (n!/n^n)·H^n, rescaling by 2^±128 to stay in range. O(k³ log n): for small nd only.
 */

const SCALE_EXPONENT = 128;
const SCALE_UP = 2 ** SCALE_EXPONENT;
const SCALE_DOWN = 2 ** -SCALE_EXPONENT;

export function durbinMatrixCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const size = 2 * k - 1;
  let power = identity(size);
  let h = initialMatrix(size, k - nd);
  let exponent = 0;
  let hExponent = 0;
  const diagonal = (k - 1) * size + (k - 1);
  for (let remaining = n; remaining > 0; remaining = Math.floor(remaining / 2)) {
    if (remaining % 2 === 1) {
      power = multiply(power, h, size);
      exponent += hExponent;
    }
    h = multiply(h, h, size);
    hExponent *= 2;
    if (Math.abs(h[diagonal] as number) > SCALE_UP) {
      for (let i = 0; i < h.length; i++) h[i]! *= SCALE_DOWN;
      hExponent += SCALE_EXPONENT;
    }
  }
  let p = power[diagonal] as number;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < SCALE_DOWN) {
      p *= SCALE_UP;
      exponent -= SCALE_EXPONENT;
    }
  }
  p = ldexp(p, exponent);
  return Math.min(1, Math.max(0, p));
}

/** H[i][0] = (1 − h^(i+1))/(i+1)!, last row the reverse, band H[r][c] = 1/(r − c + 1)!. */
function initialMatrix(size: number, h: number): Float64Array {
  const v = new Float64Array(size);
  const w = new Float64Array(size);
  let factorial = 1;
  for (let j = 1; j <= size; j++) {
    w[j - 1] = factorial;
    factorial /= j;
    v[j - 1] = (1 - h ** j) * factorial;
  }
  const tail = Math.max(2 * h - 1, 0) ** size - 2 * h ** size;
  v[size - 1] = (1 + tail) * factorial;
  const matrix = new Float64Array(size * size);
  for (let c = 1; c < size; c++) {
    for (let r = c - 1; r < size; r++) matrix[r * size + c] = w[r - (c - 1)] as number;
  }
  for (let r = 0; r < size; r++) matrix[r * size] = v[r] as number;
  for (let c = 0; c < size; c++) matrix[(size - 1) * size + c] = v[size - 1 - c] as number;
  return matrix;
}

/** x·2^exponent without overflowing the intermediate power of two. */
export function ldexp(x: number, exponent: number): number {
  // The loops below step 1000 at a time: an infinite or NaN exponent would never reach 0.
  if (!Number.isFinite(exponent)) return x * 2 ** exponent;
  let e = exponent;
  let y = x;
  while (e > 1000) {
    y *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    y *= 2 ** -1000;
    e += 1000;
  }
  return y * 2 ** e;
}

function identity(size: number): Float64Array {
  const matrix = new Float64Array(size * size);
  for (let i = 0; i < size; i++) matrix[i * size + i] = 1;
  return matrix;
}

function multiply(a: Float64Array, b: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size * size);
  for (let r = 0; r < size; r++) {
    for (let t = 0; t < size; t++) {
      const art = a[r * size + t] as number;
      if (art === 0) continue;
      const rowB = t * size;
      const rowOut = r * size;
      for (let c = 0; c < size; c++) out[rowOut + c]! += art * (b[rowB + c] as number);
    }
  }
  return out;
}
