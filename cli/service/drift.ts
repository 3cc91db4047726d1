import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { DriftMonitor } from '../../collector/index.js';
import type { Config } from '../../config/index.js';
import {
  sqliteReferenceStore,
  sqliteWindowStateStore,
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
 * Feature drift: the monitor (its sink goes to the collector's tap), restored from and saved to
 * SQLite. Registered with the lifecycle before the tap, so it stops (and saves) after the tap.
 */
export function startDrift(options: {
  readonly config: Readonly<Config>;
  readonly db: SqliteDatabase;
  readonly metricsRegistry: Registry;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): DriftMonitor {
  const { drift } = options.config;
  const monitor = new DriftMonitor({
    referenceStore: sqliteReferenceStore(options.db),
    windowStateStore: sqliteWindowStateStore(options.db),
    metricsRegistry: options.metricsRegistry,
    logger: options.logger.child({ component: 'drift' }),
    windows: drift.windows,
    thresholds: driftThresholdsOf(drift),
    minWindowValues: drift.minWindowValues,
    evaluateIntervalMs: drift.evaluateIntervalMs,
    persistIntervalMs: drift.persistIntervalMs,
  });
  monitor.start();
  options.lifecycle.add({ name: 'drift', stop: () => monitor.stop() });
  return monitor;
}
