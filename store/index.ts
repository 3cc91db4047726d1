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
  type InvalidReference,
  type NewReference,
  type ReferenceSource,
  type ReferenceStore,
  type ReferenceSummary,
  type SqliteReferenceStoreOptions,
  type StoredReference,
} from './reference-store.js';
export {
  sqliteWindowStateStore,
  type SavedStreak,
  type SavedWindowState,
  type WindowStateStore,
} from './window-state-store.js';
export {
  memoryLagHistoryStore,
  sqliteLagHistoryStore,
  type LagHistoryStore,
  type SavedEndOffsetHistory,
} from './lag-history-store.js';
export {
  sqliteAlertStore,
  sqliteOutboxStore,
  sqliteSilenceStore,
  type AlertStore,
  type HistoryEntry,
  type SilenceStore,
} from './alert-store.js';
export {
  memoryDlqWindowStore,
  sqliteDlqWindowStore,
  type DlqWindowStore,
  type SavedDlqState,
} from './dlq-window-store.js';
export { sqliteExternalAlertStore, type ExternalAlertStore } from './external-alert-store.js';
