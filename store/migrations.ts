/**
 * Every table pipewatch keeps. A migration is never edited once released: add a new one.
 * Names sort in application order: `NNNN_folder_what`.
 */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    name: '0001_core_service_state',
    sql: `CREATE TABLE service_state (
      key TEXT PRIMARY KEY,
      value_json TEXT NOT NULL,
      updated_at_ms INTEGER NOT NULL
    );`,
  },
];
