/**
 * The command timeout of `RedisStore`'s connections: one timer per connection fails every
 * command Redis has not answered by its deadline.
 *
 * node-redis's own per-command `timeout` is not used, for two reasons. It covers only the wait
 * before a command is written to the socket: a server that has the command but does not answer
 * (stopped, paused, stuck in a long script) leaves it pending for ever, and the request with it.
 * And it costs an `AbortSignal.timeout` per command (a timer that is never cleared, an event
 * listener added and removed), about a tenth of the CPU of a request on the store.
 *
 * @module
 */

/** A command sent and not yet settled (answered, failed or timed out). */
interface Pending {
  readonly deadline: number;
  readonly timeoutMs: number;
  done: boolean;
  readonly reject: (e: Error) => void;
}

/** How many settled entries may sit before the live ones before the list is compacted. */
const COMPACT_AT = 1024;

/**
 * Watches the replies of one connection's commands. Commands are kept in the order they were
 * sent; a single timer, armed only while some command is pending, wakes at the earliest
 * deadline and fails what is overdue. A command's reply arriving after it timed out is dropped.
 */
export class CommandDeadlines {
  readonly #timeoutMs: number;
  /** Pending commands from `#head` on, in the order sent (settled ones are skipped). */
  #pending: Pending[] = [];
  #head = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param timeoutMs - how long a command may wait for its reply unless {@link watch} is told otherwise. */
  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  /**
   * `reply`, or a rejection with "no reply within N ms" once `timeoutMs` (default: the
   * connection's) has passed without it.
   */
  watch<T>(reply: Promise<T>, timeoutMs = this.#timeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: Date.now() + timeoutMs, timeoutMs, done: false, reject };
      this.#pending.push(entry);
      if (this.#timer === undefined) this.#timer = this.#arm(timeoutMs);
      reply.then(
        (value) => {
          if (entry.done) return;
          this.#settle(entry);
          resolve(value);
        },
        (e: unknown) => {
          if (entry.done) return;
          this.#settle(entry);
          reject(e);
        },
      );
    });
  }

  #settle(entry: Pending): void {
    entry.done = true;
    const pending = this.#pending;
    if (pending[this.#head] !== entry) return; // answered out of order (a cluster's other node): skipped when the head gets there
    let head = this.#head + 1;
    while (head < pending.length && pending[head]!.done) head++;
    if (head === pending.length) {
      pending.length = 0;
      this.#head = 0;
    } else if (head >= COMPACT_AT && head * 2 >= pending.length) {
      pending.splice(0, head);
      this.#head = 0;
    } else {
      this.#head = head;
    }
  }

  #arm(ms: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.#expire(), Math.max(1, ms));
    // The sockets keep the process alive while replies are awaited; this timer need not.
    timer.unref();
    return timer;
  }

  /** Fails the overdue commands and waits for the next deadline. */
  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    let next = Infinity;
    const overdue: Pending[] = [];
    for (let i = this.#head; i < this.#pending.length; i++) {
      const entry = this.#pending[i]!;
      if (entry.done) continue;
      if (entry.deadline <= now) overdue.push(entry);
      else next = Math.min(next, entry.deadline);
    }
    for (const entry of overdue) {
      this.#settle(entry);
      entry.reject(new Error(`no reply from Redis within ${String(entry.timeoutMs)} ms (the server is stalled, overloaded or unreachable)`));
    }
    if (next !== Infinity) this.#timer = this.#arm(next - now);
  }
}
