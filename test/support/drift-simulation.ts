// No-drift simulation shared by the false-alarm test and scripts/drift-false-alarm-plot.ts.
import {
  gTest,
  jensenShannonFromCounts,
  jsVerdict,
  nonEmptyColumns,
  psiFromCounts,
  psiVerdict,
} from '../../detectors/index.js';
import { multinomial } from './random.js';

export interface FalseAlarmRates {
  readonly windowRows: number;
  /** PSI/(1/N + 1/M) against χ²(K − 1) at level alpha. */
  readonly psiTest: number;
  /** G = 2(N + M)·JS_π against χ²(K − 1). */
  readonly gTest: number;
  /** PSI effect >= threshold and the PSI test together (the default decision). */
  readonly psiDecision: number;
  /** The fixed rule PSI > 0.1. */
  readonly fixedPsiRule: number;
}

/**
 * Reference and current counts both drawn from the same equal-probability `bins` (what frozen
 * reference quantile edges estimate), reference rows = window rows; every alarm is false.
 * Counts come from the exact multinomial law at every size (not its normal approximation, which
 * is the law under test); the reference edges' own sampling error is left out here and covered
 * by the raw-value runs of the false-alarm test.
 */
export function simulateFalseAlarms(
  random: () => number,
  windowRows: number,
  repetitions: number,
  bins: number,
): FalseAlarmRates {
  const probabilities = Array<number>(bins).fill(1 / bins);
  let psiTest = 0;
  let g = 0;
  let psiDecision = 0;
  let fixedPsiRule = 0;
  for (let r = 0; r < repetitions; r++) {
    const reference = multinomial(random, windowRows, probabilities);
    const current = multinomial(random, windowRows, probabilities);
    const { psi } = psiFromCounts(reference, current);
    const psiResult = psiVerdict(psi, nonEmptyColumns(reference, current), windowRows, windowRows);
    const js = jensenShannonFromCounts(reference, current);
    const jsResult = jsVerdict(js.distance, gTest(reference, current), windowRows, windowRows);
    if (psiResult.significant) psiTest++;
    if (psiResult.drift) psiDecision++;
    if (jsResult.significant) g++;
    if (psi > 0.1) fixedPsiRule++;
  }
  return {
    windowRows,
    psiTest: psiTest / repetitions,
    gTest: g / repetitions,
    psiDecision: psiDecision / repetitions,
    fixedPsiRule: fixedPsiRule / repetitions,
  };
}
