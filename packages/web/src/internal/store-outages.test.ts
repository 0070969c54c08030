import { SessionBusyError, SessionStoreError } from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import { StoreOutages, isStoreUnavailable } from './store-outages.js';

function outages(): { o: StoreOutages; lines: string[]; clock: { now: number } } {
  const lines: string[] = [];
  const clock = { now: 1_000_000 };
  return { o: new StoreOutages((line) => lines.push(line), () => clock.now), lines, clock };
}

const down = (): SessionStoreError => new SessionStoreError('redis:redis://127.0.0.1:6379/dovetail:', 'get', 'connect ECONNREFUSED 127.0.0.1:6379');

describe('StoreOutages', () => {
  it('store unavailable → only by code', () => {
    expect(isStoreUnavailable(down())).toBe(true);
    expect(isStoreUnavailable(new SessionBusyError('abcdefgh', 10))).toBe(false);
    expect(isStoreUnavailable(new Error('x'))).toBe(false);
    expect(isStoreUnavailable(null)).toBe(false);
  });

  it('an outage of 1,000 failed requests over 2.5 s → two lines: gone (naming the store and the cause), back (with the count)', () => {
    const { o, lines, clock } = outages();
    for (let i = 0; i < 1000; i++) {
      expect(o.failed(down(), o.epoch)).toBe(true);
      clock.now += 2.5;
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[dovetail\/web\] DT_SESSION_STORE_UNAVAILABLE: session store 'redis:redis:\/\/127\.0\.0\.1:6379\/dovetail:' is unavailable: .*ECONNREFUSED.* Answering 503 with Retry-After/);
    expect(lines[0]).not.toContain('\n');
    clock.now += 1000;
    o.succeeded();
    o.succeeded();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("[dovetail/web] session store 'redis:redis://127.0.0.1:6379/dovetail:' answers again after 2.5 s of failures; 1000 requests were answered 503 meanwhile.");
  });

  it('successes less than 1 s after a failure (a full store refusing only new visitors) → still the same outage, no line', () => {
    const { o, lines, clock } = outages();
    for (let i = 0; i < 100; i++) {
      o.failed(down(), o.epoch);
      clock.now += 500;
      o.succeeded();
    }
    expect(lines).toHaveLength(1);
    clock.now += 1000;
    o.succeeded();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/100 requests were answered 503 meanwhile\.$/);
  });

  it('another error → not ours to log (false), nothing logged', () => {
    const { o, lines } = outages();
    expect(o.failed(new Error('bug'), o.epoch)).toBe(false);
    expect(o.failed(new SessionBusyError('abcdefgh', 10), o.epoch)).toBe(false);
    o.succeeded();
    expect(lines).toEqual([]);
  });

  it('a request that started during the last outage and fails after the store came back → counted as handled, no new outage', () => {
    const { o, lines, clock } = outages();
    const during = o.epoch;
    o.failed(down(), during);
    clock.now += 1000;
    o.succeeded();
    expect(o.failed(down(), during)).toBe(true);
    clock.now += 1000;
    o.succeeded();
    expect(lines).toHaveLength(2);
    // A request that started after the recovery and fails → a new outage.
    o.failed(down(), o.epoch);
    expect(lines).toHaveLength(3);
  });
});
