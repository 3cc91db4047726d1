export {
  createRegistryClient,
  redactRegistryUrl,
  type CompatibilityAnswer,
  type LatestVersion,
  type RegisteredSchema,
  type RegistryBasicAuth,
  type RegistryClient,
  type RegistryClientOptions,
  type SubjectVersion,
  type VersionedSchema,
} from './registry-client.js';
export { maxRetryDelayMs, retryDelayMs, type RegistryRetryOptions } from './retry.js';
