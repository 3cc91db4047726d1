import { readFileSync } from 'node:fs';
import { PipewatchError } from '../common/index.js';
import type { Config } from './schema.js';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

type BasicAuthSection = NonNullable<Config['registry']['basicAuth']>;

/** The configured basic-auth credentials, reading `passwordFile`; undefined when none. */
export function registryCredentials(
  section: BasicAuthSection | undefined,
): RegistryCredentials | undefined {
  if (!section) return undefined;
  if (section.password !== undefined) {
    return { username: section.username, password: section.password };
  }
  const file = section.passwordFile!;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PipewatchError(
      'CONFIG_INVALID',
      `registry.basicAuth.passwordFile: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      { key: 'registry.basicAuth.passwordFile' },
    );
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') {
    throw new PipewatchError(
      'CONFIG_INVALID',
      `registry.basicAuth.passwordFile: ${file} is empty`,
      { key: 'registry.basicAuth.passwordFile' },
    );
  }
  return { username: section.username, password };
}

/**
 * The external registry's URL (config `registry.url`) with the configured credentials as
 * user-info, the form every registry client of pipewatch accepts and strips into an
 * Authorization header; undefined when no external registry is configured. Log it only through
 * `redactRegistryUrl` (schemas/).
 */
export function externalRegistryUrl(config: Readonly<Config>): string | undefined {
  const url = config.registry.url;
  if (url === undefined) return undefined;
  const credentials = registryCredentials(config.registry.basicAuth);
  if (!credentials) return url;
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(credentials.username);
  parsed.password = encodeURIComponent(credentials.password);
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * Credentials for a CLI command that takes a registry URL but no config file (the CI gate):
 * PIPEWATCH_REGISTRY_USERNAME with PIPEWATCH_REGISTRY_PASSWORD or PIPEWATCH_REGISTRY_PASSWORD_FILE.
 */
export function registryCredentialsFromEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
): RegistryCredentials | undefined {
  const username = environment.PIPEWATCH_REGISTRY_USERNAME;
  const password = environment.PIPEWATCH_REGISTRY_PASSWORD;
  const passwordFile = environment.PIPEWATCH_REGISTRY_PASSWORD_FILE;
  if (username === undefined || username === '') {
    if (password !== undefined || passwordFile !== undefined) {
      throw new PipewatchError(
        'CONFIG_INVALID',
        'PIPEWATCH_REGISTRY_PASSWORD(_FILE) is set but PIPEWATCH_REGISTRY_USERNAME is not',
        { key: 'PIPEWATCH_REGISTRY_USERNAME' },
      );
    }
    return undefined;
  }
  if ((password === undefined) === (passwordFile === undefined)) {
    throw new PipewatchError(
      'CONFIG_INVALID',
      'PIPEWATCH_REGISTRY_USERNAME needs exactly one of PIPEWATCH_REGISTRY_PASSWORD and PIPEWATCH_REGISTRY_PASSWORD_FILE',
      { key: 'PIPEWATCH_REGISTRY_PASSWORD' },
    );
  }
  return registryCredentials({
    username,
    ...(password !== undefined ? { password } : { passwordFile: passwordFile! }),
  });
}
