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
export {
  memoryReferenceStore,
  sqliteReferenceStore,
  type NewReference,
  type ReferenceSource,
  type ReferenceStore,
  type ReferenceSummary,
  type StoredReference,
} from './reference-store.js';
export {
  sqliteWindowStateStore,
  type SavedWindowState,
  type WindowStateStore,
} from './window-state-store.js';
export {
  memoryDlqWindowStore,
  sqliteDlqWindowStore,
  type DlqWindowStore,
  type SavedDlqState,
} from './dlq-window-store.js';
