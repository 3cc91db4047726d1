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
import { logRequests, quietRequests } from '../request-log.js';
import { schemaRegistryApi } from './routes.js';

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
  const instance: FastifyInstance = Fastify({ loggerInstance, logController: quietRequests() });
  logRequests(instance, { level: 'debug' });
  await instance.register(schemaRegistryApi, { registry });
  const url = await instance.listen({ host: options.host, port: options.port });
  return { url, registry, instance, close: () => instance.close() };
}
