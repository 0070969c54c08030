/**
 * Waiting for a condition in tests: polled every few ms against a real-time deadline, for what
 * another process or a real timer brings about (never a fixed sleep).
 */

/** Resolves once `condition()` holds; fails naming `what` when it does not within `ms` of real time. */
export async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
