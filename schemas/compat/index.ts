export {
  checkCompatibility,
  compatibilityLevels,
  defaultCompatibilityLevel,
  isCompatibilityLevel,
  isCompatibleWith,
  readerWriterIncompatibilities,
  type CheckCompatibilityInput,
  type CompatibilityLevel,
  type CompatibilityResult,
  type Direction,
  type Incompatibility,
  type PairIncompatibility,
} from './levels.js';
export type { AvroNode, AvroSchemaInput, ParsedAvroSchema } from './model.js';
export { parseAvroSchema, toParsedSchema } from './parse.js';
export type { IncompatibilityKind } from './resolve.js';
