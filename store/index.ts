export { applyMigrations, openDatabase, type SqliteDatabase } from './database.js';
export { migrations, type Migration } from './migrations.js';
export {
  memoryServiceStateStore,
  sqliteServiceStateStore,
  type ServiceStateStore,
} from './service-state.js';
export {
  memorySchemaRegistryStore,
  sqliteSchemaRegistryStore,
  type RegistryStoredSchema,
  type RegistrySubjectVersion,
  type SchemaRegistryStore,
} from './schema-registry-store.js';
