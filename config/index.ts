export { loadConfig, parseConfig } from './load.js';
export { watchedPipelines } from './pipelines.js';
export {
  externalRegistryUrl,
  registryCredentials,
  registryCredentialsFromEnvironment,
  type RegistryCredentials,
} from './registry.js';
export {
  configSchema,
  kafkaTopicName,
  pipelineFaultsSchema,
  type Config,
  type ConfigInput,
  type WatchedPipeline,
} from './schema.js';
