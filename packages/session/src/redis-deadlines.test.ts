import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { CommandDeadlines } from './redis-deadlines.js';

/** A reply the test answers (or never answers) by hand. */
function reply<T = string>(): { promise: Promise<T>; answer: (value: T) => void; fail: (e: Error) => void } {
  let answer!: (value: T) => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    answer = resolve;
    fail = reject;
  });
  return { promise, answer, fail };
}

/** What a watched promise came to: its value, its error's message, or 'pending'. */
function outcome(p: Promise<unknown>): () => unknown {
  let state: unknown = 'pending';
  p.then(
    (v) => (state = v),
    (e: unknown) => (state = e instanceof Error ? e.message : e),
  );
  return () => state;
}

afterEach(() => {
  jest.useRealTimers();
});

describe('CommandDeadlines#watch', () => {
  it('answered in time → the reply; never answered → fails at its deadline, not before', async () => {
    jest.useFakeTimers();
    const deadlines = new CommandDeadlines(2000);
    const answered = reply();
    const silent = reply();
    const a = outcome(deadlines.watch(answered.promise));
    const s = outcome(deadlines.watch(silent.promise));
    answered.answer('OK');
    await jest.advanceTimersByTimeAsync(1999);
    expect(a()).toBe('OK');
    expect(s()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(s()).toBe('no reply from Redis within 2000 ms (the server is stalled, overloaded or unreachable)');
  });

  it("a client's error → that error; a reply after the timeout → dropped (the command stays failed)", async () => {
    jest.useFakeTimers();
    const deadlines = new CommandDeadlines(100);
    const refused = reply();
    const late = reply();
    const r = outcome(deadlines.watch(refused.promise));
    const l = outcome(deadlines.watch(late.promise));
    refused.fail(new Error('NOSCRIPT No matching script'));
    await jest.advanceTimersByTimeAsync(100);
    late.answer('too late');
    await jest.advanceTimersByTimeAsync(0);
    expect(r()).toBe('NOSCRIPT No matching script');
    expect(l()).toContain('no reply from Redis within 100 ms');
  });

  it('commands sent later get deadlines of their own: each fails its own timeout after it was sent', async () => {
    jest.useFakeTimers();
    const deadlines = new CommandDeadlines(1000);
    const first = outcome(deadlines.watch(reply().promise));
    await jest.advanceTimersByTimeAsync(600);
    const second = outcome(deadlines.watch(reply().promise));
    const longer = outcome(deadlines.watch(reply().promise, 5000)); // a WAIT given more time
    await jest.advanceTimersByTimeAsync(400);
    expect([first(), second(), longer()].map((o) => o !== 'pending')).toEqual([true, false, false]);
    await jest.advanceTimersByTimeAsync(600);
    expect([second(), longer()].map((o) => o !== 'pending')).toEqual([true, false]);
    await jest.advanceTimersByTimeAsync(4000);
    expect(longer()).toContain('within 5000 ms');
  });

  it('thousands of commands answered out of order (a cluster) → each gets its own reply; only the unanswered time out', async () => {
    jest.useFakeTimers();
    const deadlines = new CommandDeadlines(1000);
    const replies = Array.from({ length: 3000 }, () => reply<number>());
    const outcomes = replies.map((r) => outcome(deadlines.watch(r.promise)));
    // Answer the odd ones from the back, then let the timeout pass.
    for (let i = replies.length - 1; i >= 0; i--) if (i % 2 === 1) replies[i]!.answer(i);
    await jest.advanceTimersByTimeAsync(999);
    expect(outcomes.every((o, i) => (i % 2 === 1 ? o() === i : o() === 'pending'))).toBe(true);
    await jest.advanceTimersByTimeAsync(1);
    expect(outcomes.every((o, i) => (i % 2 === 1 ? o() === i : String(o()).startsWith('no reply')))).toBe(true);
    // The watcher is not stuck after that: a new command is answered, another times out.
    const next = reply<number>();
    const n = outcome(deadlines.watch(next.promise));
    const silent = outcome(deadlines.watch(reply().promise));
    next.answer(7);
    await jest.advanceTimersByTimeAsync(1000);
    expect([n(), String(silent()).startsWith('no reply')]).toEqual([7, true]);
  });

  it('every command answered → no timer runs on after the deadline (none while idle)', () => {
    jest.useFakeTimers();
    const deadlines = new CommandDeadlines(1000);
    const r = reply();
    void deadlines.watch(r.promise);
    expect(jest.getTimerCount()).toBe(1);
    r.answer('OK');
    return Promise.resolve().then(async () => {
      await jest.advanceTimersByTimeAsync(1000);
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
