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

/** The ring's first size (a power of two; it doubles when more commands are in flight). */
const FIRST_SIZE = 64;

/**
 * Watches the replies of one connection's commands. Commands are kept in the order they were
 * sent; a single timer, armed only while some command is pending, wakes at the earliest
 * deadline and fails what is overdue. A command's reply arriving after it timed out is dropped.
 *
 * The commands are kept in a ring whose slot is cleared as soon as the oldest command is
 * answered (on one server replies come in order): an answered command is garbage at once, and
 * nothing of it survives into the old generation of the heap.
 */
export class CommandDeadlines {
  readonly #timeoutMs: number;
  /** Commands in the order sent: `#count` slots from `#head` on (answered ones not yet at the head stay until it gets there). */
  #ring: (Pending | undefined)[] = new Array<Pending | undefined>(FIRST_SIZE);
  #head = 0;
  #count = 0;
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
      this.#push(entry);
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

  #push(entry: Pending): void {
    let ring = this.#ring;
    if (this.#count === ring.length) {
      const grown = new Array<Pending | undefined>(ring.length * 2);
      for (let i = 0; i < this.#count; i++) grown[i] = ring[(this.#head + i) & (ring.length - 1)];
      this.#ring = ring = grown;
      this.#head = 0;
    }
    ring[(this.#head + this.#count) & (ring.length - 1)] = entry;
    this.#count++;
  }

  #settle(entry: Pending): void {
    entry.done = true;
    const ring = this.#ring;
    const mask = ring.length - 1;
    if (ring[this.#head] !== entry) return; // answered out of order (a cluster's other node): dropped when the head gets there
    do {
      ring[this.#head] = undefined;
      this.#head = (this.#head + 1) & mask;
      this.#count--;
    } while (this.#count > 0 && ring[this.#head]!.done);
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
    const ring = this.#ring;
    for (let i = 0; i < this.#count; i++) {
      const entry = ring[(this.#head + i) & (ring.length - 1)]!;
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
