import { PipewatchError } from '../../common/index.js';

/** A version path segment: a number, or the latest live version. */
export type VersionSelector = number | 'latest';

const maxVersion = 2 ** 31 - 1;

/** Confluent's rule: 1 … 2^31-1, "latest", or -1 (which also means latest). */
export function parseVersion(raw: string): VersionSelector {
  if (raw === 'latest' || raw === '-1') return 'latest';
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= maxVersion) return n;
  throw new PipewatchError(
    'REGISTRY_VERSION_INVALID',
    `The specified version '${raw}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    { version: raw },
  );
}
