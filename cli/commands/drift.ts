/**
 * `pipewatch drift`: compares a reference file with a current file (one value per line) and
 * prints the drift metrics. Exit 0 when no drift is detected, 1 when the decision metric
 * flags drift (effect size over its threshold and the calibrated test rejecting), 2 for
 * usage or input errors; the same 0/1/2 convention as `schema check`.
 */
import { PipewatchError } from '../../common/index.js';
import {
  categoricalCounts,
  categoricalDrift,
  DEFAULT_DRIFT_THRESHOLDS,
  nullRateTest,
  numericDrift,
  type DriftMetric,
} from '../../detectors/index.js';
import { parseFlags } from '../flags.js';
import type { Command } from './command.js';
import {
  parseCategoricalColumn,
  parseNumericColumn,
  readInput,
  type CategoricalColumn,
  type NumericColumn,
} from './drift-input.js';
import { categoricalReport, numericReport, reportTable } from './drift-report.js';

const usage =
  'pipewatch drift --reference FILE --current FILE [--kind numeric|categorical] [--bins N] ' +
  '[--alpha A] [--metric psi|js|ks|chi2] [--json]';

const METRICS: Record<'numeric' | 'categorical', readonly DriftMetric[]> = {
  numeric: ['psi', 'js', 'ks'],
  categorical: ['psi', 'js', 'chi2'],
};

interface DriftOptions {
  readonly reference: string;
  readonly current: string;
  readonly kind: 'numeric' | 'categorical';
  readonly binCount: number;
  readonly alpha: number;
  readonly metric: DriftMetric;
  readonly json: boolean;
}

function usageError(message: string): PipewatchError {
  return new PipewatchError('USAGE', `${message}\nusage: ${usage}`);
}

function parseOptions(argv: readonly string[]): DriftOptions {
  const { values } = parseFlags(
    argv,
    {
      reference: { type: 'string' },
      current: { type: 'string' },
      kind: { type: 'string', default: 'numeric' },
      bins: { type: 'string', default: '10' },
      alpha: { type: 'string', default: String(DEFAULT_DRIFT_THRESHOLDS.alpha) },
      metric: { type: 'string', default: DEFAULT_DRIFT_THRESHOLDS.decisionMetric },
      json: { type: 'boolean', default: false },
    },
    usage,
  );
  if (!values.reference || !values.current)
    throw usageError('--reference and --current are required');
  const kind = values.kind;
  if (kind !== 'numeric' && kind !== 'categorical') {
    throw usageError(`--kind must be numeric or categorical, got '${kind}'`);
  }
  const binCount = Number(values.bins);
  if (!Number.isInteger(binCount) || binCount < 2) {
    throw usageError(`--bins must be an integer >= 2, got '${values.bins}'`);
  }
  const alpha = Number(values.alpha);
  if (!(alpha > 0 && alpha < 1))
    throw usageError(`--alpha must be in (0, 1), got '${values.alpha}'`);
  const metric = values.metric as DriftMetric;
  if (!METRICS[kind].includes(metric)) {
    throw usageError(`--metric for ${kind} must be one of ${METRICS[kind].join(', ')}`);
  }
  return {
    reference: values.reference,
    current: values.current,
    kind,
    binCount,
    alpha,
    metric,
    json: values.json === true,
  };
}

function nullRates(reference: NumericColumn | CategoricalColumn, current: typeof reference) {
  return {
    reference: { nullCount: reference.nullCount, rowCount: reference.rowCount },
    current: { nullCount: current.nullCount, rowCount: current.rowCount },
    pvalue: nullRateTest(reference, current).pvalue,
  };
}

export function driftReport(options: DriftOptions): Record<string, unknown> {
  const thresholds = { alpha: options.alpha, decisionMetric: options.metric };
  const decision = { metric: options.metric, alpha: options.alpha };
  if (options.kind === 'numeric') {
    const reference = parseNumericColumn(readInput(options.reference), options.reference);
    const current = parseNumericColumn(readInput(options.current), options.current);
    const result = numericDrift(reference.sorted, current.sorted, {
      binCount: options.binCount,
      thresholds,
    });
    return numericReport(result, nullRates(reference, current), decision);
  }
  const reference = parseCategoricalColumn(readInput(options.reference), options.reference);
  const current = parseCategoricalColumn(readInput(options.current), options.current);
  const counts = categoricalCounts(reference.values, current.values);
  const result = categoricalDrift(counts, { thresholds });
  return categoricalReport(
    result,
    counts.categories,
    counts,
    nullRates(reference, current),
    decision,
  );
}

export const driftCommand: Command = {
  name: 'drift',
  summary: 'compare a reference and a current sample (one value per line) for feature drift',
  usage,
  async run(argv) {
    const options = parseOptions(argv);
    const report = driftReport(options);
    process.stdout.write(
      options.json ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report),
    );
    return report.drift === true ? 1 : 0;
  },
};
