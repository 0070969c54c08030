/**
 * `dovetail serve --workers N`: the primary process of a node:cluster. It forks N workers that
 * serve the same port (the cluster shares the listening socket; Linux hands connections out
 * round-robin), replaces a worker that dies, backs off when one keeps dying at once, and on
 * SIGTERM or SIGINT has every worker drain its requests before it exits itself.
 *
 * Nothing here shares sessions: the workers share the store they open (SQLite file, Redis), and
 * its secret, which the primary has read (and so created) before the first fork.
 *
 * @module
 */
import cluster, { type Worker } from 'node:cluster';

/** What the primary needs to run the workers. */
export interface WorkerPoolOptions {
  /** How many workers to keep running. */
  readonly count: number;
  /** The line printed once every worker listens, given the address they share. */
  readonly banner: (address: { address: string; port: number }) => string;
  /** A worker that lived shorter than this is a crash at start (ms). @default 5000 */
  readonly quickExitMs?: number;
}

/** The first delay before replacing a worker that died at once, doubled for each further one. */
const FIRST_BACKOFF_MS = 250;
/** The longest delay between two starts of a worker that keeps dying. */
const MAX_BACKOFF_MS = 30_000;

/**
 * Forks `count` workers of this same command line and supervises them until SIGTERM or SIGINT;
 * then every worker gets SIGTERM (each closes its Site: in-flight requests finish, their
 * sessions are committed) and the primary exits once all have, with 0 when all exited cleanly.
 */
export function runWorkerPool(options: WorkerPoolOptions): void {
  const quickExitMs = options.quickExitMs ?? 5000;
  const started = new Map<Worker, number>();
  let stopping = false;
  let listening = 0;
  let announced = false;
  // Consecutive quick deaths; a worker that lived long enough resets it.
  let quickDeaths = 0;
  // Whether a worker failed to drain at shutdown (deaths before were replaced, not failures).
  let failed = false;

  const fork = (): void => {
    if (stopping) return;
    const worker = cluster.fork();
    started.set(worker, Date.now());
  };

  cluster.on('listening', (_worker, address) => {
    if (announced || ++listening < options.count) return;
    announced = true;
    console.log(options.banner({ address: address.address ?? '127.0.0.1', port: address.port }));
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (started.get(worker) ?? 0);
    started.delete(worker);
    if (stopping) {
      if (code !== 0) failed = true;
      if (started.size === 0) process.exit(failed ? 1 : 0);
      return;
    }
    quickDeaths = lived < quickExitMs ? quickDeaths + 1 : 0;
    // The first death is replaced at once; a worker that keeps dying at start is started again
    // after 250 ms, 500 ms, … up to 30 s, so a broken deployment does not spin the CPU.
    const delay = quickDeaths <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (quickDeaths - 2));
    const how = signal ?? `code ${code}`;
    console.error(`dovetail: worker ${worker.process.pid} exited (${how}); starting another${delay ? ` in ${delay / 1000} s` : ''}`);
    setTimeout(fork, delay);
  });

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`dovetail: ${signal}, every worker finishes its in-flight requests`);
    if (started.size === 0) process.exit(failed ? 1 : 0);
    for (const worker of started.keys()) worker.process.kill('SIGTERM');
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  for (let i = 0; i < options.count; i++) fork();
}
