import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

export interface BuildInfo {
  readonly version: string;
  readonly nodeVersion: string;
}

/**
 * The process-wide Prometheus registry: `pipewatch_build_info` plus prom-client's standard
 * process_* and nodejs_* metrics (kept under their conventional names so stock dashboards work).
 */
export function createMetricsRegistry(build: BuildInfo): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'pipewatch_build_info',
    help: 'Always 1; labels carry the pipewatch version and the Node.js version.',
    labelNames: ['version', 'node_version'] as const,
    registers: [registry],
  });
  info.set({ version: build.version, node_version: build.nodeVersion }, 1);
  return registry;
}
