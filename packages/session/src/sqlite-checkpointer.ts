/**
 * A `SqliteStore`'s checkpoints: when its WAL is copied into the database file, and by whom —
 * once it serves traffic, a worker thread with a connection of its own, so that the request
 * thread's checkpoints find little to do.
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
import { oneLine } from './logger.js';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * WAL pages written before SQLite checkpoints on the request thread (copies them into the
 * database file and syncs it); SQLite's default is 1,000. The sync is most of a checkpoint's
 * cost, and a busy session's page is written to the WAL many times between two checkpoints but
 * copied once. Larger saves more CPU but makes each checkpoint a longer pause: 4,000 pages (16 MB
 * of WAL at most) is the middle ground measured (new visitors: ~10% less CPU per request;
 * 10,000: ~18%).
 */
const WAL_CHECKPOINT_PAGES = 4_000;
/**
 * While the thread runs: it copies the WAL whenever 2,000 pages wait, and the request thread's
 * automatic checkpoint is only the bound on the WAL's size (64 MB). That checkpoint still waits
 * for the disk, for what the thread has not synced yet and for the thread's sync in progress, so
 * it should come rarely: at 4,000 pages new visitors were served as fast as without the thread,
 * at 16,000 about 9% faster (bench/results/NOTES.md, lever 18).
 */
const THREAD_COPIES_PAGES = 2_000;
const WAL_BOUND_PAGES = 16_000;
/**
 * Writes before the thread starts: a store that has written this much is serving traffic; one
 * that has not (a command, a test) never pays for a thread.
 */
const WRITES_BEFORE_THREAD = 1_000;

/** How often the thread looks at the WAL: a read of 100 bytes of the shared WAL index. */
const LOOK_EVERY_MS = 10;
/** Looks without a write before the thread empties the WAL (one second). */
const QUIET_LOOKS = 100;

/**
 * The thread's program: CommonJS source run with `eval`, so it needs no file of its own beside
 * the compiled package (nor beside the TypeScript sources the tests run). It loads the driver
 * the store loaded. Each look reads the WAL index's header from the `-shm` file (the layout
 * SQLite documents in its WAL format: `mxFrame`, the frames in the WAL, at byte 16, and
 * `nBackfill`, the frames copied, at byte 96, both in the machine's byte order) and checkpoints
 * when `pages` frames wait. A checkpoint is `PASSIVE`: it never holds up the request thread's
 * writes. When the WAL has not grown for `quietLooks` looks, the thread copies what is left and
 * then starts the WAL over, empty (`TRUNCATE`), so that a server gone quiet does not keep the
 * 64 MB a busy spell grew. That one takes the write lock for as long as the truncation, and only
 * when nothing holds it or reads the WAL: the busy timeout is 0, so it gives way at once.
 * Busy (another connection is checkpointing, writing or reading) waits for the next look; any
 * other error ends the thread with it.
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
const truncate = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)');
db.pragma('busy_timeout = 0');
const header = new Uint32Array(25);
let last = 0;
let quiet = 0;
function run(statement) {
  try {
    statement.get();
  } catch (e) {
    if (!String(e?.code).startsWith('SQLITE_BUSY')) fail(e);
  }
}
timer = setInterval(() => {
  readSync(index, header, 0, 100, 0);
  const frames = header[4];
  const copied = header[24];
  if (frames - copied >= workerData.pages) return run(checkpoint);
  if (frames === 0 || frames !== last) {
    last = frames;
    quiet = 0;
    return;
  }
  if (++quiet < workerData.quietLooks) return;
  quiet = 0;
  run(copied < frames ? checkpoint : truncate);
}, workerData.lookEveryMs);
parentPort.once('message', () => {
  end();
  parentPort.close();
});
`;

/**
 * The checkpoints of one open store: SQLite's automatic ones on the request thread, and, after
 * 1,000 writes, the thread. Not for an exclusive file or `:memory:` (no
 * other connection may open them): `threaded` false.
 */
export class Checkpoints {
  #untilThread: number;
  #thread: Checkpointer | undefined = undefined;
  #stopped = false;

  /** Sets the request thread's automatic checkpoint on `db`, open on `file` in WAL mode. */
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly file: string,
    private readonly store: string,
    threaded: boolean,
  ) {
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    this.#untilThread = threaded ? WRITES_BEFORE_THREAD : -1;
  }

  /** Counts a write of the store; the one that makes it serve traffic starts the thread. */
  wrote(): void {
    if (--this.#untilThread === 0) this.#start();
  }

  /** Ends the thread, if it runs, before the store's connection closes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#untilThread = -1;
    await this.#thread?.stop();
  }

  #start(): void {
    this.db.pragma(`wal_autocheckpoint = ${WAL_BOUND_PAGES}`);
    this.#thread = new Checkpointer(this.file, THREAD_COPIES_PAGES, (e) => {
      this.#thread = undefined;
      if (!this.#stopped) this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      process.emitWarning(`The checkpoint thread of ${this.store} stopped: ${oneLine(e)}. Checkpoints run on the request thread from now on.`, { code: 'DT_WARN_SQLITE_CHECKPOINTER' });
    });
  }
}

/** A running checkpointer thread on one database file in WAL mode. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #exited: Promise<void>;

  /**
   * Starts the thread on `path`, open in WAL mode by this process. It checkpoints whenever
   * `pages` frames of the WAL are not copied yet, and empties the WAL after a second without
   * writes. `failed` is called if it stops on an error of its own (the file vanished, the disk
   * failed): the request thread's automatic checkpoints still run, so nothing is lost but their
   * speed.
   */
  constructor(path: string, pages: number, failed: (error: unknown) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(PROGRAM, { eval: true, workerData: { driver, path, pages, lookEveryMs: LOOK_EVERY_MS, quietLooks: QUIET_LOOKS } });
    // The server's work keeps the process alive, not its checkpointer. A checkpoint cut short
    // by the process exiting is safe: SQLite finishes it at the next one.
    this.#worker.unref();
    this.#worker.once('error', failed);
    this.#exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
  }

  /** Ends the thread after its checkpoint in progress, and closes its connection. */
  stop(): Promise<void> {
    // Held while it ends: otherwise a script whose last work is `close()` would have nothing left
    // keeping its event loop alive, and node would end it there, the lines after `close()` unrun.
    this.#worker.ref();
    this.#worker.postMessage('stop');
    return this.#exited;
  }
}
