/**
 * What /api/v1/drift answers: the presenters and their response schemas side by side. Each
 * schema is typed against its presenter's return type, so a field renamed or retyped in one
 * and not the other fails to compile; a field added to a presenter only fails the response
 * check (PIPEWATCH_TEST_CHECK_RESPONSES), which every test run turns on.
 */
import { z } from 'zod';
import type { FeatureDriftState } from '../../monitor/index.js';

/** Latest readings per window and the detected flag (no histograms): the overview. */
export function driftSummary(state: FeatureDriftState) {
  return {
    topic: state.topic,
    feature: state.feature,
    referenceVersion: state.referenceVersion,
    kind: state.kind,
    evaluatedAtMs: state.evaluatedAtMs,
    detected: state.detected,
    windows: state.windows.map(({ evaluation, streak }) => ({
      window: evaluation.window,
      windowSeconds: evaluation.windowSeconds,
      referenceValues: evaluation.referenceValues,
      windowValues: evaluation.windowValues,
      decided: evaluation.decided,
      drift: evaluation.drift,
      consecutiveDriftWindows: streak.consecutive,
      detected: streak.drifting,
      readings: evaluation.readings,
    })),
  };
}

/** Everything for one feature: readings, critical values, verdicts, both histograms. */
export function driftDetail(state: FeatureDriftState) {
  const overview = driftSummary(state);
  return {
    ...overview,
    referenceHistogram: state.referenceHistogram,
    windows: state.windows.map(({ evaluation, currentCounts }, i) => ({
      ...overview.windows[i]!,
      startMs: evaluation.startMs,
      endMs: evaluation.endMs,
      verdicts: evaluation.verdicts,
      topBins: evaluation.topBins,
      currentHistogram: { bins: state.referenceHistogram.bins, counts: currentCounts },
    })),
  };
}

const readingMetric = z.enum([
  'psi',
  'js_distance',
  'js_divergence',
  'ks_statistic',
  'ks_error_bound',
  'chi2_cramers_v',
  'null_rate',
  'invalid_ratio',
  'out_of_range_ratio',
  'unseen_ratio',
]);

const reading = z
  .object({
    metric: readingMetric.describe('the reading, as the `metric` label of pipewatch_feature_drift'),
    value: z.number().describe('its value (PSI, JS in nats, KS D, a ratio in [0, 1])'),
    critical: z
      .number()
      .nullable()
      .describe(
        'smallest value a level-alpha test calls significant for these sizes; null if none',
      ),
    pvalue: z.number().nullable().describe("the calibrated test's p-value; null for plain ratios"),
  })
  .strict();

const windowSummaryFields = {
  window: z.string().describe('the window as the Prometheus `window` label: 5m, 1h, 24h, 90s'),
  windowSeconds: z.number().describe('window length (seconds)'),
  referenceValues: z.number().describe('reference values N (a count; may be fractional)'),
  windowValues: z.number().describe('non-null valid values M in the window (a count)'),
  decided: z.boolean().describe('false while M is below the minimum: readings without a verdict'),
  drift: z.boolean().describe("this window's verdict"),
  consecutiveDriftWindows: z.number().int().describe('drifting windows in a row (a count)'),
  detected: z.boolean().describe('drift for k consecutive windows'),
  readings: z.array(reading).describe('every reading of the latest evaluation'),
};

const featureFields = {
  topic: z.string().describe('Kafka topic'),
  feature: z.string().describe('feature (field name or dotted path)'),
  referenceVersion: z.number().int().describe('the reference version compared against'),
  kind: z.enum(['numeric', 'categorical']),
  evaluatedAtMs: z
    .number()
    .nullable()
    .describe('last evaluation (epoch ms); null before the first'),
  detected: z.boolean().describe('some window has drifted for k consecutive windows'),
};

const featureSummary = z
  .object({ ...featureFields, windows: z.array(z.object(windowSummaryFields).strict()) })
  .strict();

export const driftListBody: z.ZodType<{ features: ReturnType<typeof driftSummary>[] }> = z
  .object({ features: z.array(featureSummary).describe('every watched (topic, feature)') })
  .strict()
  .describe('Drift of every watched feature, latest readings per window');

const verdict = z
  .object({
    metric: z.enum(['psi', 'js', 'ks', 'chi2']),
    effect: z.number().describe('the effect size (PSI, JS distance, KS D, Cramér V)'),
    effectThreshold: z.number().describe('the configured effect threshold'),
    criticalValue: z
      .number()
      .nullable()
      .describe('smallest effect the test calls significant at alpha for N, M (if known)'),
    pvalue: z.number(),
    effectExceeded: z.boolean(),
    significant: z.boolean(),
    drift: z.boolean().describe('effect exceeded and significant'),
  })
  .strict();

const topBin = z
  .object({
    rank: z.number().int().describe('1 = largest PSI term'),
    binIndex: z.number().int(),
    bin: z.string().describe('`[lo, hi)` for numeric bins, the category or `(unseen)` otherwise'),
    contribution: z.number().describe("the bin's PSI term"),
  })
  .strict();

const histogram = {
  bins: z.array(z.string()).describe('bin labels: `[lo, hi)` (numeric) or categories + `(unseen)`'),
  counts: z.array(z.number()).describe('counts per bin'),
};

export const driftDetailBody: z.ZodType<ReturnType<typeof driftDetail>> = z
  .object({
    ...featureFields,
    referenceHistogram: z
      .object({
        ...histogram,
        edges: z
          .array(z.number())
          .nullable()
          .describe('coarse edges (numeric): bins (-inf, e1), ..., [e_last, +inf); null otherwise'),
      })
      .strict()
      .describe('the reference, binned as the windows are'),
    windows: z.array(
      z
        .object({
          ...windowSummaryFields,
          startMs: z.number().describe('window start (epoch ms)'),
          endMs: z.number().describe('window end (epoch ms)'),
          verdicts: z.array(verdict).describe('per-metric verdicts; empty when N or M is 0'),
          topBins: z.array(topBin).describe('the bins contributing most to PSI'),
          currentHistogram: z
            .object(histogram)
            .strict()
            .describe('the window, binned as the reference'),
        })
        .strict(),
    ),
  })
  .strict()
  .describe('Drift of one feature: readings, verdicts, both histograms per window');
