import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import { DriftRuntime, type ReadingsBoard } from '../../monitor/index.js';
import {
  sqliteWindowStateStore,
  type ReferenceStore,
  type SqliteDatabase,
} from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';

/** Drift thresholds of the detectors from the config's `drift` section. */
export function driftThresholdsOf(drift: Readonly<Config['drift']>) {
  return {
    alpha: drift.alpha,
    psi: drift.psiThreshold,
    jsDistance: drift.jsDistanceThreshold,
    ksStatistic: drift.ksStatisticThreshold,
    cramersV: drift.cramersVThreshold,
    decisionMetric: drift.decisionMetric,
    consecutiveWindows: drift.consecutiveWindows,
  };
}

/**
 * Feature drift: the runtime (its sink goes to the collector's tap) publishing on the board,
 * restored from and saved to SQLite. Registered with the lifecycle before the tap, so it stops
 * (and saves) after the tap.
 */
export function startDrift(options: {
  readonly config: Readonly<Config>;
  readonly db: SqliteDatabase;
  /** The service's one reference store (the API writes through `runtime.notifying` of it). */
  readonly referenceStore: ReferenceStore;
  readonly board: ReadingsBoard;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): DriftRuntime {
  const { drift } = options.config;
  const runtime = new DriftRuntime({
    referenceStore: options.referenceStore,
    windowStateStore: sqliteWindowStateStore(options.db),
    board: options.board,
    logger: options.logger.child({ component: 'drift' }),
    windows: drift.windows,
    thresholds: driftThresholdsOf(drift),
    minWindowValues: drift.minWindowValues,
    evaluateIntervalMs: drift.evaluateIntervalMs,
    persistIntervalMs: drift.persistIntervalMs,
    maxTimestampSkewMs: drift.maxTimestampSkewSeconds * 1000,
  });
  runtime.start();
  options.lifecycle.add({ name: 'drift', stop: () => runtime.stop() });
  return runtime;
}
