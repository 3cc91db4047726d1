import { PipewatchError } from '../../common/index.js';

import { compatibilityLevels, type CompatibilityLevel } from '../compat/index.js';

export { compatibilityLevels, type CompatibilityLevel };

/**
 * Decides whether `candidate` may follow `previous` under `level`. The registry has already
 * picked the versions the level names (the latest one, or all live ones for a _TRANSITIVE
 * level), so a checker compares the candidate against every schema it is given. Schemas are
 * JSON texts. `messages` explain an incompatibility (Confluent's `verbose=true` output).
 */
export type CompatibilityChecker = (input: {
  candidate: string;
  /** Oldest first. */
  previous: readonly string[];
  level: CompatibilityLevel;
}) => { compatible: boolean; messages: string[] };

export const isTransitive = (level: CompatibilityLevel): boolean => level.endsWith('_TRANSITIVE');

/** Accepts any letter case, as Confluent does; anything else is REGISTRY_LEVEL_INVALID. */
export function parseCompatibilityLevel(value: unknown, where: string): CompatibilityLevel {
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  const level = compatibilityLevels.find((l) => l === upper);
  if (level) return level;
  throw new PipewatchError(
    'REGISTRY_LEVEL_INVALID',
    `Invalid compatibility level ${JSON.stringify(value)} in ${where}. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive`,
    { where, value },
  );
}
