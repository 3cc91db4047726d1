import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  createSchemaRegistry,
  type CompatibilityChecker,
  type CompatibilityLevel,
  type SchemaRegistry,
} from '../../schemas/index.js';
import {
  sqliteSchemaRegistryStore,
  type SchemaRegistryStore,
  type SqliteDatabase,
} from '../../store/index.js';
import { handleRegistryError } from './errors.js';
import { apiAuthHook, type ApiAuthOptions } from '../auth.js';
import { clientErrorResponder } from '../http-errors.js';
import { logRequests, quietRequests } from '../request-log.js';
import { schemaRegistryApi } from './routes.js';

/**
 * Fastify options of the registry server: subjects up to 255 characters fit in a path
 * parameter (fastify's default is 100), and a URL the router cannot decode answers in
 * Confluent's error shape. Bodies: fastify's 1 MiB (Confluent Cloud's schema limit is 1 MB).
 */
export const registryServerOptions = {
  routerOptions: { maxParamLength: 1024 },
  bodyLimit: 1024 * 1024,
  frameworkErrors: handleRegistryError,
  clientErrorHandler: clientErrorResponder((status, message) => ({ error_code: status, message })),
} as const;

export interface RegistryServerOptions {
  /** SQLite database opened with openDatabase (migration 0100_registry_schemas applied). */
  readonly db?: SqliteDatabase;
  /** Alternative to `db`, e.g. memorySchemaRegistryStore(); `db` wins when both are given. */
  readonly store?: SchemaRegistryStore;
  readonly checker: CompatibilityChecker;
  /** Config `registry.host` (default 127.0.0.1; 0.0.0.0 to listen on every interface). */
  readonly host: string;
  /** Config `registry.port` (default 8081); 0 picks a free port. */
  readonly port: number;
  readonly logger: Logger;
  /** Global level until one is PUT on /config. Default BACKWARD. */
  readonly defaultLevel?: CompatibilityLevel;
  /** The API's tokens: registry writes need one (bearer, or basic auth with it as password). */
  readonly auth?: ApiAuthOptions;
}

export interface RunningRegistryServer {
  /** e.g. http://127.0.0.1:8081, what a SchemaRegistry client takes as `host`. */
  readonly url: string;
  readonly registry: SchemaRegistry;
  readonly instance: FastifyInstance;
  close(): Promise<void>;
}

/** The embedded Confluent-compatible schema registry on its own port; resolves once listening. */
export async function startRegistryServer(
  options: RegistryServerOptions,
): Promise<RunningRegistryServer> {
  const store = options.db ? sqliteSchemaRegistryStore(options.db) : options.store;
  if (!store) throw new TypeError('startRegistryServer needs `db` or `store`');
  const registry = createSchemaRegistry({
    store,
    checker: options.checker,
    ...(options.defaultLevel ? { defaultLevel: options.defaultLevel } : {}),
  });
  const loggerInstance: FastifyBaseLogger = options.logger.child({ component: 'registry' });
  // The pipeline and the taps ask the registry as they go: its requests log at debug (errors
  // still at error), so they never bury the service's own lines.
  const instance: FastifyInstance = Fastify({
    ...registryServerOptions,
    loggerInstance,
    logController: quietRequests(),
  });
  logRequests(instance, { level: 'debug' });
  if (options.auth) instance.addHook('onRequest', apiAuthHook(options.auth, 'confluent'));
  await instance.register(schemaRegistryApi, { registry });
  const url = await instance.listen({ host: options.host, port: options.port });
  return { url, registry, instance, close: () => instance.close() };
}
