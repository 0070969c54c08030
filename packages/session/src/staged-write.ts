/**
 * Early lock release: the commits of one session's handoff chain, written to the store together.
 *
 * When a request commits while another request of this process waits for the same session, the
 * lock (with the store's lease) goes to the waiter at once, with the state just committed, and
 * the write is staged here instead of made. What is staged in one turn of the event loop is
 * written at the end of that turn in one store call — only the chain's last state needs writing,
 * as a database writes a group commit once — unless a request of the chain writes it sooner
 * (it takes what is staged and writes its newer state). Every request whose commit was staged
 * answers only once its state, or a later one, is durable; a failed write fails each of them.
 * So nothing is acknowledged before it is stored, and no request builds on a state that is then
 * lost without failing too.
 */
// Not the global: an application's fake timers must not hold its sessions' writes back.
import { setImmediate } from 'node:timers';

/** Writes `payload` with the session's lease kept; the new version, or undefined when the store's version or lease is not the chain's. */
export type ChainWrite = (payload: string, expires: number, expectedVersion: number) => Promise<number | undefined> | number | undefined;

/** A state staged by one or more commits and the requests waiting for it to be durable. */
export interface Staged {
  payload: string;
  expires: number;
  /** Settles when the state is durable (or the write failed). */
  readonly durable: Promise<void>;
  /** The state (or a newer one that contains it) is in the store. */
  resolve(): void;
  /** The write failed: every request that staged into it fails with `error`. */
  reject(error: unknown): void;
}

function staged(payload: string, expires: number): Staged {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const durable = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // Every staging request awaits `durable`; this keeps a rejection no one awaits yet from crashing the process.
  durable.catch(() => undefined);
  return { payload, expires, durable, resolve, reject };
}

/** The unwritten commits of one session while its handoff chain holds the lease. */
export class StagedWrite {
  #staged: Staged | null = null;
  #flushing: Promise<void> | null = null;
  #scheduled = false;

  constructor(
    /** The version the store holds: what the chain's next write expects. */
    public version: number,
    readonly write: ChainWrite,
    /** The error for a write the store refused (the lease or the version was no longer the chain's). */
    readonly conflict: (expectedVersion: number) => Error,
  ) {}

  /** True while a staged state is not yet in the store (staged, or being written). */
  get unwritten(): boolean {
    return this.#staged !== null || this.#flushing !== null;
  }

  /** Stages the session's state; the promise settles when it, or a later state of the chain, is durable. */
  stage(payload: string, expires: number): Promise<void> {
    const pending = this.#staged;
    if (pending === null) this.#staged = staged(payload, expires);
    else {
      pending.payload = payload;
      pending.expires = expires;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.flush();
      });
    }
    return this.#staged!.durable;
  }

  /**
   * Takes what is staged, after any write in flight, for a caller that writes a newer state
   * itself: it resolves or rejects what it took. `version` is then current.
   */
  async take(): Promise<Staged | null> {
    while (this.#flushing !== null) await this.#flushing;
    const taken = this.#staged;
    this.#staged = null;
    return taken;
  }

  /** Writes what is staged (after any write in flight), keeping the lease. Never rejects: the waiting requests get the error. */
  flush(): Promise<void> {
    if (this.#flushing !== null) return this.#flushing.then(() => this.flush());
    const pending = this.#staged;
    if (pending === null) return Promise.resolve();
    // Taken and marked in flight in one synchronous step: a request of the chain that writes
    // meanwhile waits for this write (its version comes after it).
    this.#staged = null;
    const run: Promise<void> = this.#write(pending).finally(() => {
      if (this.#flushing === run) this.#flushing = null;
    });
    this.#flushing = run;
    return run;
  }

  async #write(pending: Staged): Promise<void> {
    try {
      const version = await this.write(pending.payload, pending.expires, this.version);
      if (version === undefined) throw this.conflict(this.version);
      this.version = version;
      pending.resolve();
    } catch (e) {
      pending.reject(e);
    }
  }
}

/** Runs `release` once `staged` (if any) is written: a lease must not go back while the chain's last state is unwritten. */
export function releaseAfter(staged: StagedWrite | null, release: () => void): void {
  if (staged === null || !staged.unwritten) release();
  else void staged.flush().finally(release);
}
