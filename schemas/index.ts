export * from './compat/index.js';
export {
  createSchemaRegistry,
  isTransitive,
  parseCompatibilityLevel,
  parseSchemaRequest,
  parseVersion,
  type CompatibilityChecker,
  type ParsedSchema,
  type SchemaRegistry,
  type SchemaRegistryOptions,
  type SchemaRequest,
  type SubjectSchema,
  type VersionSelector,
} from './registry/index.js';
export { engineCompatibilityChecker } from './registry/engine-checker.js';
export {
  createRegistryClient,
  maxRetryDelayMs,
  redactRegistryUrl,
  retryDelayMs,
  type CompatibilityAnswer,
  type LatestVersion,
  type RegisteredSchema,
  type RegistryBasicAuth,
  type RegistryClient,
  type RegistryClientOptions,
  type RegistryRetryOptions,
  type SubjectVersion,
  type VersionedSchema,
} from './client/index.js';
