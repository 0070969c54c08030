/**
 * The checkpointer of a `SqliteStore`: a worker thread with a connection of its own that copies
 * the WAL into the database file, so that the request thread's checkpoints find little to do.
 *
 * In WAL mode every write appends pages to the WAL, and a checkpoint copies them into the
 * database file and syncs both files. SQLite runs it inside the commit that crosses
 * `wal_autocheckpoint`, on the thread that committed: on a busy server the event loop stops for
 * it (under a stream of new sessions the request thread slept about a tenth of the time, nearly
 * all of it in a checkpoint's `fsync`). Run on a thread of its own, the copy and the sync overlap
 * the requests instead.
 *
 * The thread does not replace the request thread's automatic checkpoint. A checkpoint beside a
 * stream of writes never finds the WAL fully copied (pages were appended while it ran), and
 * SQLite starts the WAL over only after one that did; so the automatic checkpoint still comes,
 * as the bound on the WAL's size, and finds most of it copied. Its own `fsync` still waits for
 * the disk, so the store makes that bound large while the thread runs.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the thread looks at the WAL: a read of 100 bytes of the shared WAL index. */
const LOOK_EVERY_MS = 10;

/**
 * The thread's program: CommonJS source run with `eval`, so it needs no file of its own beside
 * the compiled package (nor beside the TypeScript sources the tests run). It loads the driver
 * the store loaded. Each look reads the WAL index's header from the `-shm` file (the layout
 * SQLite documents in its WAL format: `mxFrame`, the frames in the WAL, at byte 16, and
 * `nBackfill`, the frames copied, at byte 96, both in the machine's byte order) and checkpoints
 * when `pages` frames wait. A checkpoint is `PASSIVE`: it never holds up the request thread's
 * writes. Busy (another connection is checkpointing) waits for the next look; any other error
 * ends the thread with it.
 */
const PROGRAM = `
const { closeSync, openSync, readSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db, index, timer;
function end() {
  clearInterval(timer);
  if (index !== undefined) closeSync(index);
  db?.close();
}
// SQLite's errors lose their message crossing to the store's thread; a plain Error keeps it.
function fail(e) {
  end();
  throw Object.assign(new Error(String(e?.message ?? e)), { code: e?.code });
}
try {
  db = new Database(workerData.path, { fileMustExist: true, timeout: 5000 });
  db.pragma('synchronous = NORMAL');
  index = openSync(workerData.path + '-shm', 'r');
} catch (e) {
  fail(e);
}
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const header = new Uint32Array(25);
timer = setInterval(() => {
  readSync(index, header, 0, 100, 0);
  if (header[4] - header[24] < workerData.pages) return;
  try {
    checkpoint.get();
  } catch (e) {
    if (!String(e?.code).startsWith('SQLITE_BUSY')) fail(e);
  }
}, workerData.lookEveryMs);
parentPort.once('message', () => {
  end();
  parentPort.close();
});
`;

/** A running checkpointer thread on one database file in WAL mode. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  /**
   * Starts the thread on `path`, open in WAL mode by this process. It checkpoints whenever
   * `pages` frames of the WAL are not copied yet. `failed` is called if it stops on an error of
   * its own (the file vanished, the disk failed): the request thread's automatic checkpoints
   * still run, so nothing is lost but their speed.
   */
  constructor(path: string, pages: number, failed: (error: unknown) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(PROGRAM, { eval: true, workerData: { driver, path, pages, lookEveryMs: LOOK_EVERY_MS } });
    // The server's work keeps the process alive, not its checkpointer. A checkpoint cut short
    // by the process exiting is safe: SQLite finishes it at the next one.
    this.#worker.unref();
    this.#worker.once('error', failed);
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** Ends the thread after its checkpoint in progress, and closes its connection. */
  stop(): Promise<void> {
    this.#worker.postMessage('stop');
    return this.#exited;
  }
}
