/**
 * Two-sample KS statistic from fine-bin counts, with a bound on how far the exact statistic on
 * the raw values can be.
 *
 * Let G(e) = P(X < e) for each sample; both are known exactly at every fine edge e_j because the
 * bins are [e_j, e_{j+1}). The exact D = sup_x |F_ref(x) - F_cur(x)| (right-continuous CDFs) is
 * also the sup over left limits, so `statistic` = max_j |G_ref(e_j) - G_cur(e_j)| <= D.
 * Inside bin j, with a = G at its lower edge and m = the bin's mass, each CDF lies in [a, a + m],
 * so F_ref(x) - F_cur(x) <= a_ref + m_ref - a_cur and F_cur(x) - F_ref(x) <= a_cur + m_cur - a_ref.
 * `upperBound` = max(statistic, max over bins of those two) >= D, and
 * `errorBound` = upperBound - statistic. Since a_ref + m_ref - a_cur equals
 * d(e_j) + m_ref and d(e_{j+1}) + m_cur, the bound is at most max_j min(m_ref, m_cur): about one
 * fine reference bin (1 / fineBins) when the current sample is spread out.
 */
export interface StreamingKs {
  /** max |F_ref - F_cur| over the fine edges: a lower bound of the exact D. */
  readonly statistic: number;
  /** An upper bound of the exact D. */
  readonly upperBound: number;
  /** upperBound - statistic: the exact D lies in [statistic, statistic + errorBound]. */
  readonly errorBound: number;
}

/** NaN fields when either side is empty (no statistic without data). */
export function streamingKs(
  referenceFineCounts: ArrayLike<number>,
  currentFineCounts: ArrayLike<number>,
): StreamingKs {
  const bins = referenceFineCounts.length;
  if (currentFineCounts.length !== bins) {
    throw new RangeError(
      `fine bin counts differ in length: ${bins} vs ${currentFineCounts.length}`,
    );
  }
  let totalRef = 0;
  let totalCur = 0;
  for (let j = 0; j < bins; j++) {
    totalRef += referenceFineCounts[j]!;
    totalCur += currentFineCounts[j]!;
  }
  if (!(totalRef > 0) || !(totalCur > 0)) {
    return { statistic: Number.NaN, upperBound: Number.NaN, errorBound: Number.NaN };
  }
  let belowRef = 0;
  let belowCur = 0;
  let statistic = 0;
  let upper = 0;
  for (let j = 0; j < bins; j++) {
    const massRef = referenceFineCounts[j]! / totalRef;
    const massCur = currentFineCounts[j]! / totalCur;
    upper = Math.max(upper, belowRef + massRef - belowCur, belowCur + massCur - belowRef);
    belowRef += massRef;
    belowCur += massCur;
    if (j < bins - 1) statistic = Math.max(statistic, Math.abs(belowRef - belowCur));
  }
  const upperBound = Math.min(1, Math.max(statistic, upper));
  return { statistic, upperBound, errorBound: upperBound - statistic };
}
