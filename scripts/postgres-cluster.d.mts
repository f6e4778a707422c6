export interface PostgresCluster {
  /** Connection URL of database `postgres` as superuser `tresor` (trust auth, loopback only). */
  readonly url: string;
  readonly port: number;
  /** Stops the server and deletes its directory; a second call does nothing. */
  stop(): void;
}

/** `tuneForTests` (default true) turns off fsync, synchronous_commit and full_page_writes. */
export function startPostgresCluster(options?: { readonly tuneForTests?: boolean }): Promise<PostgresCluster>;
