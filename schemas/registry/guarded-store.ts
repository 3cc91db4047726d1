import { isPipewatchError, PipewatchError } from '../../common/index.js';
import type { SchemaRegistryStore } from '../../store/index.js';

/**
 * The store with every failure (SQLite busy, closed, disk full) turned into STORE_FAILURE,
 * which the API answers as Confluent's 50001. PipewatchErrors thrown inside a transaction
 * (an incompatible schema, say) pass through unchanged.
 */
export function guardStore(store: SchemaRegistryStore): SchemaRegistryStore {
  const guarded = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(store) as [string, unknown][]) {
    if (typeof method !== 'function') continue;
    guarded[name] = (...args: unknown[]): unknown => {
      try {
        return (method as (...a: unknown[]) => unknown).apply(store, args);
      } catch (error) {
        if (isPipewatchError(error)) throw error;
        throw new PipewatchError(
          'STORE_FAILURE',
          `Error in the backend data store (${name}): ${(error as Error).message}`,
          { operation: name },
          { cause: error },
        );
      }
    };
  }
  return guarded as unknown as SchemaRegistryStore;
}
