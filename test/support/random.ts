// Seeded random numbers for simulations: tests pass the generator in, nothing reads Math.random.

/** mulberry32: a small, fast 32-bit generator; returns uniforms in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal by Box–Muller. */
export function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, 1) by Marsaglia and Tsang (2000), exact; shapes below 1 by the u^(1/a) boost. */
export function gammaDraw(random: () => number, shape: number): number {
  if (shape < 1) return gammaDraw(random, shape + 1) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Binomial(n, p), exact at every n (Knuth, TAOCP 2, 3.4.1, the beta method): the i-th smallest
 * of n uniforms is V ~ Beta(i, n + 1 − i); if V <= p those i are below p and the other n − i
 * are uniform on (V, 1), else only the i − 1 below V can be, each uniform on (0, V). Halving n
 * each step, then one uniform per trial for the last few dozen.
 */
export function binomialDraw(random: () => number, trials: number, p: number): number {
  let n = trials;
  let q = p;
  let count = 0;
  while (n > 64) {
    const i = Math.floor(n / 2) + 1;
    const a = gammaDraw(random, i);
    const v = a / (a + gammaDraw(random, n + 1 - i));
    if (v <= q) {
      count += i;
      n -= i;
      q = (q - v) / (1 - v);
    } else {
      n = i - 1;
      q /= v;
    }
  }
  for (let k = 0; k < n; k++) if (random() < q) count++;
  return count;
}

/**
 * Multinomial counts of `rows` draws over `probabilities` (summing to 1), exact at every size:
 * sequential binomials, each bin given the rows the earlier bins left.
 */
export function multinomial(
  random: () => number,
  rows: number,
  probabilities: readonly number[],
): Float64Array {
  const counts = new Float64Array(probabilities.length);
  let remainingRows = rows;
  let remainingMass = 1;
  probabilities.forEach((p, i) => {
    const share = i === probabilities.length - 1 ? 1 : Math.min(1, p / remainingMass);
    counts[i] = binomialDraw(random, remainingRows, share);
    remainingRows -= counts[i];
    remainingMass -= p;
  });
  return counts;
}
