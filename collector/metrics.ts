import { Counter, type Registry } from 'prom-client';

/**
 * The registry's counter of that name, created on first use: several taps and recorders in one
 * process share one series family instead of failing on a duplicate registration.
 */
export function sharedCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}
