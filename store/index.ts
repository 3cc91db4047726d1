export { applyMigrations, openDatabase, type SqliteDatabase } from './database.js';
export { migrations, type Migration } from './migrations.js';
export {
  memoryServiceStateStore,
  sqliteServiceStateStore,
  type ServiceStateStore,
} from './service-state.js';
