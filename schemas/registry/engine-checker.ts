import { checkCompatibility } from '../compat/index.js';
import type { CompatibilityChecker } from './levels.js';

/**
 * The registry's compatibility decision, made by pipewatch's own engine. Messages follow the
 * shape of Confluent's `verbose=true` output (kind, path, sentence) and name the version.
 */
export const engineCompatibilityChecker: CompatibilityChecker = ({
  candidate,
  previous,
  level,
}) => {
  const labels = previous.map((_, i) => `previous schema ${i + 1} of ${previous.length}`);
  const result = checkCompatibility({ candidate, previous, level, labels: { previous: labels } });
  return {
    compatible: result.compatible,
    messages: result.incompatibilities.map(
      (i) =>
        `{errorType:'${i.kind}', description:'${i.message}', path:'${i.path}', direction:'${i.direction}'}`,
    ),
  };
};
