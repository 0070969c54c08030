import { AsyncLocalStorage } from 'node:async_hooks';
import { setImmediate as realImmediate } from 'node:timers';
import { describe, expect, it, jest } from '@jest/globals';
import { SLICE, startInSlice } from './turn-slices.js';

/** Resolves in a check phase after everything queued so far has run (its callback is queued after theirs). */
const turnEnded = (): Promise<void> => new Promise((resolve) => realImmediate(resolve));

/** A client that pipelines, as node-redis does: what a turn asks of it is written in that turn's check phase. */
function pipeliningClient(log: string[]) {
  let batch: number[] = [];
  return {
    send(n: number): void {
      if (batch.length === 0) {
        realImmediate(() => {
          log.push(`write ${batch.join(',')}`);
          batch = [];
        });
      }
      batch.push(n);
    },
    queued: (): number => batch.length,
  };
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('startInSlice', () => {
  it("starts a pass's requests until the client holds a slice of commands, the rest after it wrote them", async () => {
    const log: string[] = [];
    const client = pipeliningClient(log);
    const count = SLICE * 2 + 3;
    for (const n of range(1, count)) startInSlice(() => client.send(n), client.queued);
    log.push('pass ends');
    for (let turn = 0; turn < 4; turn++) await turnEnded();
    expect(log).toEqual([
      'pass ends',
      `write ${range(1, SLICE).join(',')}`,
      `write ${range(SLICE + 1, SLICE * 2).join(',')}`,
      `write ${range(SLICE * 2 + 1, count).join(',')}`,
    ]);
  });

  it('starts requests that send nothing at once, however many', () => {
    let ran = 0;
    for (let n = 0; n < SLICE * 4; n++) startInSlice(() => ran++, () => 0);
    expect(ran).toBe(SLICE * 4);
  });

  it('starts a request that comes while others wait after them', async () => {
    const log: string[] = [];
    const client = pipeliningClient(log);
    const order: number[] = [];
    for (const n of range(1, SLICE + 2)) startInSlice(() => (order.push(n), client.send(n)), client.queued);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    startInSlice(() => order.push(0), () => 0);
    for (let turn = 0; turn < 3; turn++) await turnEnded();
    expect(order).toEqual([...range(1, SLICE + 2), 0]);
  });

  it('starts each waiting request in its own async context', async () => {
    const client = pipeliningClient([]);
    for (let n = 0; n < SLICE; n++) client.send(n);
    const context = new AsyncLocalStorage<number>();
    const seen: Array<[number, number | undefined]> = [];
    for (const n of range(1, 4)) context.run(n, () => startInSlice(() => seen.push([n, context.getStore()]), client.queued));
    expect(seen).toEqual([]);
    for (let turn = 0; turn < 2; turn++) await turnEnded();
    expect(seen).toEqual(range(1, 4).map((n) => [n, n]));
  });

  it('still starts the waiting requests while a test has faked the timers', async () => {
    jest.useFakeTimers();
    try {
      const log: string[] = [];
      const client = pipeliningClient(log);
      let ran = 0;
      for (let n = 0; n < SLICE + 1; n++) startInSlice(() => (ran++, client.send(n)), client.queued);
      expect(ran).toBe(SLICE);
      await turnEnded();
      await turnEnded();
      expect(ran).toBe(SLICE + 1);
    } finally {
      jest.useRealTimers();
    }
  });
});
