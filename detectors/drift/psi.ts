/**
 * Population stability index over fixed bins (design: "Detectors: conventions"):
 * PSI = Σ (p_i − q_i)·ln(p_i / q_i) with p_i = (c_i + 0.5) / (N + 0.5·K), natural log.
 * p is the reference, q the current window.
 */

/** Pseudo-count added to every bin so empty bins keep PSI finite. */
export const PSI_PSEUDO_COUNT = 0.5;

export interface PsiResult {
  readonly psi: number;
  /** Per-bin terms (p_i − q_i)·ln(p_i / q_i); each is >= 0 and they sum to `psi`. */
  readonly contributions: Float64Array;
}

/** PSI of two count vectors over the same K bins (counts need not be integers). */
export function psiFromCounts(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
): PsiResult {
  const k = assertSameLength(referenceCounts, currentCounts);
  const n = total(referenceCounts);
  const m = total(currentCounts);
  const contributions = new Float64Array(k);
  let psi = 0;
  for (let i = 0; i < k; i++) {
    const p = ((referenceCounts[i] as number) + PSI_PSEUDO_COUNT) / (n + PSI_PSEUDO_COUNT * k);
    const q = ((currentCounts[i] as number) + PSI_PSEUDO_COUNT) / (m + PSI_PSEUDO_COUNT * k);
    const term = (p - q) * Math.log(p / q);
    contributions[i] = term;
    psi += term;
  }
  return { psi, contributions };
}

/** PSI of two probability vectors as given (no smoothing): the anchors' worked example. */
export function psiFromProportions(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const k = assertSameLength(p, q);
  let psi = 0;
  for (let i = 0; i < k; i++) {
    const a = p[i] as number;
    const b = q[i] as number;
    psi += (a - b) * Math.log(a / b);
  }
  return psi;
}

export function total(counts: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] as number;
    if (!(c >= 0) || !Number.isFinite(c)) {
      throw new RangeError(`count at index ${i} must be a finite number >= 0, got ${c}`);
    }
    sum += c;
  }
  return sum;
}

export function assertSameLength(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new RangeError(`bin count mismatch: reference has ${a.length}, current ${b.length}`);
  }
  if (a.length === 0) throw new RangeError('at least one bin is needed');
  return a.length;
}
