export { parseSchemaRequest, type ParsedSchema, type SchemaRequest } from './avro-schema.js';
export {
  compatibilityLevels,
  isTransitive,
  parseCompatibilityLevel,
  type CompatibilityChecker,
  type CompatibilityLevel,
} from './levels.js';
export {
  createSchemaRegistry,
  type CompatibilityResult,
  type SchemaRegistry,
  type SchemaRegistryOptions,
  type SubjectSchema,
} from './registry.js';
export { parseVersion, type VersionSelector } from './versions.js';
