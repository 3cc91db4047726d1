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

/**
 * Multinomial counts of `rows` draws over `probabilities`. Up to `exactRows` rows each draw is
 * simulated; above, counts come from sequential binomials in their normal approximation
 * (every expected count is then >= 10^4, where the approximation's skew is ~1%).
 */
export function multinomial(
  random: () => number,
  rows: number,
  probabilities: readonly number[],
  exactRows = 20000,
): Float64Array {
  const counts = new Float64Array(probabilities.length);
  if (rows <= exactRows) {
    const cumulative: number[] = [];
    let sum = 0;
    for (const p of probabilities) cumulative.push((sum += p));
    for (let r = 0; r < rows; r++) {
      const u = random() * sum;
      let i = 0;
      while (i < cumulative.length - 1 && u >= (cumulative[i] as number)) i++;
      counts[i]! += 1;
    }
    return counts;
  }
  let remainingRows = rows;
  let remainingMass = 1;
  probabilities.forEach((p, i) => {
    if (i === probabilities.length - 1) {
      counts[i] = remainingRows;
      return;
    }
    const share = Math.min(1, p / remainingMass);
    const mean = remainingRows * share;
    const draw = Math.round(mean + Math.sqrt(mean * (1 - share)) * normal(random));
    counts[i] = Math.min(remainingRows, Math.max(0, draw));
    remainingRows -= counts[i];
    remainingMass -= p;
  });
  return counts;
}
