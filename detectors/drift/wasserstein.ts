/**
 * Wasserstein-1 distance between two samples: ∫ |F(x) − G(x)| dx over the empirical CDFs,
 * as scipy's `wasserstein_distance` with unit weights. Inputs must be sorted ascending.
 */
export function wasserstein1Sorted(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) throw new RangeError('both samples need at least one value');
  let i = 0;
  let j = 0;
  let distance = 0;
  let previous = Math.min(a[0] as number, b[0] as number);
  while (i < n || j < m) {
    const x = Math.min(i < n ? (a[i] as number) : Infinity, j < m ? (b[j] as number) : Infinity);
    // Between the previous support point and x both CDFs are flat at i/n and j/m.
    distance += Math.abs(i / n - j / m) * (x - previous);
    while (i < n && (a[i] as number) === x) i++;
    while (j < m && (b[j] as number) === x) j++;
    previous = x;
  }
  return distance;
}
