export { loadConfig, parseConfig } from './load.js';
export { configSchema, pipelineFaultsSchema, type Config, type ConfigInput } from './schema.js';
