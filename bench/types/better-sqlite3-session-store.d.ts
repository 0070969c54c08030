/** better-sqlite3-session-store ships no types: the part the bench uses. */
declare module 'better-sqlite3-session-store' {
  import type { Database } from 'better-sqlite3';
  import type { Store } from 'express-session';

  interface SqliteStoreOptions {
    client: Database;
    expired?: { clear?: boolean; intervalMs?: number };
  }
  type SqliteStoreClass = new (options: SqliteStoreOptions) => Store;
  function makeStore(session: { Store: typeof Store }): SqliteStoreClass;
  export default makeStore;
}
