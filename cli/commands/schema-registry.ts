/**
 * What the CI gate reads from a registry subject, through the one registry client
 * (schemas/client): every live version's schema text, oldest first, and the compatibility level
 * (the subject's own, else the registry's global level). Credentials: user-info in the URL, or
 * PIPEWATCH_REGISTRY_USERNAME with PIPEWATCH_REGISTRY_PASSWORD(_FILE) from the environment.
 */
import { PipewatchError } from '../../common/index.js';
import { registryCredentialsFromEnvironment } from '../../config/index.js';
import {
  createRegistryClient,
  isCompatibilityLevel,
  type CompatibilityLevel,
  type RegistryClient,
} from '../../schemas/index.js';

/** How long one registry request may take. */
const requestTimeoutMs = 10_000;

export interface SubjectHistoryVersion {
  readonly version: number;
  readonly schemaText: string;
}

export function gateRegistryClient(
  url: string,
  environment: Readonly<Record<string, string | undefined>> = process.env,
): RegistryClient {
  try {
    new URL(url);
  } catch {
    throw new PipewatchError('USAGE', '--registry is not a valid URL');
  }
  const basicAuth = registryCredentialsFromEnvironment(environment);
  return createRegistryClient({
    url,
    timeoutMs: requestTimeoutMs,
    ...(basicAuth ? { basicAuth } : {}),
  });
}

/** All live versions of the subject, oldest first; undefined when the registry has no such subject. */
export async function subjectHistory(
  client: RegistryClient,
  subject: string,
  /** Told after each version is read (they are read in parallel: `read` counts them). */
  onRead: (read: number, total: number) => void = () => {},
): Promise<SubjectHistoryVersion[] | undefined> {
  const numbers = await client.versionNumbers(subject);
  if (numbers === undefined) return undefined;
  let read = 0;
  return Promise.all(
    numbers.map(async (version) => {
      const found = await client.version(subject, version);
      if (!found) {
        throw new PipewatchError(
          'SCHEMA_REGISTRY_UNAVAILABLE',
          `schema registry ${client.url} listed version ${version} of '${subject}' but has no such version`,
          { url: client.url, subject, version },
        );
      }
      if (found.schemaType !== 'AVRO') {
        throw new PipewatchError(
          'USAGE',
          `subject '${subject}' version ${version} is a ${JSON.stringify(found.schemaType)} schema; only Avro is supported`,
        );
      }
      if (found.references.length > 0) {
        throw new PipewatchError(
          'USAGE',
          `subject '${subject}' version ${version} uses schema references, which are not supported`,
        );
      }
      onRead(++read, numbers.length);
      return { version, schemaText: found.schema };
    }),
  );
}

/** The subject's level, else the registry's global level. */
export async function subjectCompatibilityLevel(
  client: RegistryClient,
  subject: string,
): Promise<CompatibilityLevel> {
  const level = (await client.subjectLevel(subject)) ?? (await client.globalLevel());
  if (!isCompatibilityLevel(level)) {
    throw new PipewatchError(
      'SCHEMA_REGISTRY_UNAVAILABLE',
      `schema registry ${client.url} answered GET /config with ${JSON.stringify(level ?? null)}, not a known compatibility level`,
      { url: client.url },
    );
  }
  return level;
}
