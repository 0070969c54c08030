import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as realImmediate } from 'node:timers';
import { describe, expect, it, jest } from '@jest/globals';
import { SLICE, startInSlice } from './turn-slices.js';

/** Resolves in a check phase after everything queued so far has run (its callback is queued after theirs). */
const turnEnded = (): Promise<void> => new Promise((resolve) => realImmediate(resolve));

/** A pipelining client as node-redis is one: what a turn asks of it is written in that turn's check phase. */
function pipeliningClient(log: string[]) {
  let batch: number[] | null = null;
  return (n: number): void => {
    if (batch === null) {
      batch = [];
      realImmediate(() => {
        log.push(`write ${batch!.join(',')}`);
        batch = null;
      });
    }
    batch.push(n);
  };
}

describe('startInSlice', () => {
  it("starts a slice of a pass's requests at once and the rest after the client wrote what the slice asked for", async () => {
    const log: string[] = [];
    const send = pipeliningClient(log);
    const count = SLICE * 2 + 3;
    for (let n = 1; n <= count; n++) startInSlice(() => send(n));
    log.push('pass ends');
    for (let turn = 0; turn < 4; turn++) await turnEnded();
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i).join(',');
    expect(log).toEqual([
      'pass ends',
      `write ${range(1, SLICE)}`,
      `write ${range(SLICE + 1, SLICE * 2)}`,
      `write ${range(SLICE * 2 + 1, count)}`,
    ]);
  });

  it('starts a request that comes while others wait after them', async () => {
    const order: number[] = [];
    for (let n = 1; n <= SLICE + 2; n++) startInSlice(() => order.push(n));
    await new Promise<void>((resolve) => process.nextTick(resolve));
    startInSlice(() => order.push(0));
    for (let turn = 0; turn < 3; turn++) await turnEnded();
    expect(order).toEqual([...Array.from({ length: SLICE + 2 }, (_, i) => i + 1), 0]);
  });

  it('starts each waiting request in its own async context', async () => {
    const context = new AsyncLocalStorage<number>();
    const seen: Array<[number, number | undefined]> = [];
    for (let n = 1; n <= SLICE + 4; n++) context.run(n, () => startInSlice(() => seen.push([n, context.getStore()])));
    for (let turn = 0; turn < 3; turn++) await turnEnded();
    expect(seen).toHaveLength(SLICE + 4);
    for (const [n, store] of seen) expect(store).toBe(n);
  });

  it('still starts the waiting requests while a test has faked the timers', async () => {
    jest.useFakeTimers();
    try {
      let ran = 0;
      for (let n = 0; n < SLICE + 1; n++) startInSlice(() => ran++);
      expect(ran).toBe(SLICE);
      await turnEnded();
      await turnEnded();
      expect(ran).toBe(SLICE + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});
