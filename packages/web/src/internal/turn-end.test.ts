import { setImmediate as realImmediate } from 'node:timers';
import { describe, expect, it, jest } from '@jest/globals';
import { atTurnEnd } from './turn-end.js';

/** Resolves in the check phase after the writes asked for so far (its callback is queued after theirs). */
const turnEnded = (): Promise<void> => new Promise((resolve) => realImmediate(resolve));

describe('atTurnEnd', () => {
  it('writes asked for in one turn run after everything else of that turn, together and in the order asked', async () => {
    const order: string[] = [];
    atTurnEnd(() => order.push('first response'));
    let chain = Promise.resolve();
    for (let i = 0; i < 20; i++) chain = chain.then(() => void order.push('work'));
    void chain.then(() => atTurnEnd(() => order.push('second response')));
    order.push('handler returns');
    await turnEnded();
    expect(order).toEqual(['handler returns', ...Array<string>(20).fill('work'), 'first response', 'second response']);
  });

  it("a write asked for while the turn's writes run goes with the next turn", async () => {
    const order: string[] = [];
    atTurnEnd(() => {
      order.push('a');
      atTurnEnd(() => order.push('c'));
    });
    atTurnEnd(() => order.push('b'));
    await turnEnded();
    expect(order).toEqual(['a', 'b']);
    await turnEnded();
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('still writes while a test has faked the timers', async () => {
    jest.useFakeTimers();
    try {
      const written: string[] = [];
      atTurnEnd(() => written.push('response'));
      await turnEnded();
      expect(written).toEqual(['response']);
    } finally {
      jest.useRealTimers();
    }
  });
});
