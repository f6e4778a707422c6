/** What the system module needs to know about storage. */
export interface SystemStore {
  /** True when the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Names of the migrations the database has applied, in order. */
  appliedMigrations(): Promise<string[]>;
}
