/**
 * Lock handoff through the manager, on a real SQLite file and a real redis-server: requests of
 * one session queued in this process get the lease and the state just written from the request
 * before them (no release, re-acquire or reload), every update is kept, a request gets its own
 * state (a component the one before kept cannot reach it), a lease lost during a chain makes the
 * commit a conflict, a lease kept after a commit serves the session's next request here however
 * late (within half a lease), and another process waiting for the session gets it as soon as it
 * asks (release on demand; without it, after `CHAIN_MS`). Two `Sessions` on one store stand for
 * two processes (each has its own lease owner).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineInterface } from '@dovetail/interfaces';
import { Registry, withRegistry } from '@dovetail/registry';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { ISessionDataContainer } from '../src/contracts.js';
import { SessionConflictError, SessionDataError } from '../src/errors.js';
import { kLoadNow } from '../src/internal-symbols.js';
import { CHAIN_MS } from '../src/lock.js';
import { MemoryStore } from '../src/memory-store.js';
import { RedisStore } from '../src/redis-store.js';
import { Session } from '../src/session.js';
import { Sessions } from '../src/sessions.js';
import { SqliteStore } from '../src/sqlite-store.js';
import { redisTestsEnabled, startRedisServer, type RedisServer } from './support/redis-server.js';
import { CounterAdapter, ICounter } from './support/sessions-conformance.js';
import { until } from './support/until.js';
import type { SessionStore } from '../src/store.js';

const dir = mkdtempSync(join(tmpdir(), 'dovetail-handoff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SECRET = 'handoff-through-the-manager-0123456789';
const LEASE = 60_000; // long in real time: the renewal timer (every 20 s) never fires during a test
const opened: Sessions[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

const registry = new Registry({ name: 'handoff' });
registry.registerAdapter(CounterAdapter, Session, ICounter);
/** A component kept as plain data (`setComponent`), stored as the object itself. */
const IVisits = defineInterface<{ visits: number; last: string }>('dovetail.test.handoff.IVisits');

/**
 * A real store whose calls are counted (how many leases came from the store); `polled()` settles
 * once a whole poll of the manager (a `wanted` call) ran after it was called: when the next one
 * but one starts (the manager polls one at a time).
 */
function counted(store: SessionStore): { store: SessionStore; calls: Map<string, number>; polled: () => Promise<void> } {
  const calls = new Map<string, number>();
  let polls: { left: number; done: () => void }[] = [];
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        if (key === 'wanted') {
          for (const p of polls) if (--p.left === 0) p.done();
          polls = polls.filter((p) => p.left > 0);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls, polled: () => new Promise<void>((done) => polls.push({ left: 2, done })) };
}

/** A real store that cannot tell a lease's holder that others want it (no `wanted`): leases are parked for a turn only. */
function withoutWanted(store: SessionStore): SessionStore {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'wanted') return undefined;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A real store whose commits, from `hold()` on, wait until `open()` (a slow write, held at will). */
function gated(store: SessionStore): { store: SessionStore; hold: () => void; open: () => void } {
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...a: unknown[]) => unknown).bind(target);
      return key === 'commit' ? (...args: unknown[]) => gate.then(() => method(...args)) : method;
    },
  });
  return { store: proxy, hold: () => (gate = new Promise<void>((r) => (open = r))), open: () => open() };
}

/** Lets `n` turns of the event loop pass (the staged writes of each are due at its end). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/** Waits for `promise`, failing after `ms` of real time (a condition polled with a deadline). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

let redis: RedisServer | undefined;
const withRedis = redisTestsEnabled();
beforeAll(async () => {
  if (withRedis) redis = await startRedisServer();
}, 20_000);
afterAll(async () => redis?.dispose());

/**
 * A fresh backend (an SQLite file, a Redis prefix); each call of what it returns opens a store on
 * it, as one process would, on `clock` (the store's: lease and turn times).
 */
type Backend = () => (clock?: () => number) => SessionStore;
let n = 0;
const kinds: [string, Backend][] = [
  [
    'SqliteStore',
    () => {
      const path = join(dir, `h${++n}.db`);
      return (clock?: () => number) => new SqliteStore({ path, clock });
    },
  ],
];
if (withRedis) {
  kinds.push([
    'RedisStore',
    () => {
      const prefix = `handoff${++n}:`;
      return (clock?: () => number) => new RedisStore({ url: redis!.url, prefix, clock });
    },
  ]);
}

/** A manager over `store`; `clock` is its own (the lease chain is timed by it). */
function manager(store: SessionStore, clock: () => number = Date.now): Sessions {
  const s = new Sessions({ store, registry, secrets: [SECRET], sweepInterval: 0, lockLease: LEASE, clock });
  opened.push(s);
  return s;
}

/** A clock that stands still: a chain is timed by its manager's clock, so a slow machine cannot end it mid-test. */
function frozen(): () => number {
  const t = Date.now();
  return () => t;
}

/** load → ICounter(session).value += 1 → commit. */
async function increment(sessions: Sessions, cookie: string): Promise<void> {
  const s = (await sessions.load(cookie))!;
  withRegistry(registry, () => (ICounter(s).value += 1));
  await sessions.commit(s);
}

async function counterOf(sessions: Sessions, cookie: string): Promise<number> {
  const s = (await sessions.load(cookie))!;
  const value = withRegistry(registry, () => ICounter(s).value);
  await sessions.abort(s);
  return value;
}

/**
 * Two requests of one session: the first sets the counter to `value` and commits while the second
 * waits, which is handed the lease and that state (its commit staged). Returns the first's
 * commit (settled once durable) and the second's session.
 */
async function handedOver(sessions: Sessions, cookie: string, value: number): Promise<{ firstDone: Promise<void>; second: Session }> {
  const first = (await sessions.load(cookie))!;
  const queued = sessions.load(cookie);
  withRegistry(registry, () => (ICounter(first).value = value));
  const firstDone = sessions.commit(first);
  return { firstDone, second: (await queued)! };
}

/**
 * A hot session: three requests of it at a time in `sessions`, each followed by the next, until
 * stopped. `served(n)` waits until n more requests are done, one at a time with a deadline each.
 */
function hotChain(sessions: Sessions, cookie: string): { served: (n: number) => Promise<void>; done: () => number; stop: () => Promise<void> } {
  let stop = false;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      await increment(sessions, cookie);
      done++;
    }
  };
  const workers = [worker(), worker(), worker()];
  return {
    served: async (n) => {
      const until = done + n;
      while (done < until) await within(increment(sessions, cookie).then(() => done++), 5000, 'a request of the chain');
    },
    done: () => done,
    stop: async () => {
      stop = true;
      await Promise.allSettled(workers);
    },
  };
}

async function newSession(sessions: Sessions): Promise<string> {
  const s = sessions.create();
  s.set('born', true); // (a counter at 0 is what adapting makes: not a change by itself)
  await sessions.commit(s);
  return sessions.cookieValue(s);
}

const sqliteBackend = kinds[0]![1];

describe.each(kinds)('lock handoff over %s', (_name, backend) => {
  it('200 concurrent requests of one session: every update kept, the lease taken from the store once, the commits of the turn written once', async () => {
    const makeStore = backend();
    const { store, calls } = counted(makeStore());
    const sessions = manager(store, frozen());
    const cookie = await newSession(sessions);
    calls.clear();
    await Promise.all(Array.from({ length: 200 }, () => increment(sessions, cookie)));
    expect(calls.get('acquire')).toBe(1);
    // Each commit handed the lease straight on and was staged; the chain ran in one turn, so
    // only its last state was written.
    expect(calls.get('commit')).toBe(1);
    expect(calls.get('release') ?? 0).toBe(0);
    expect(await counterOf(manager(makeStore()), cookie)).toBe(200);
  });

  it('routed namespaces go along with the lease: concurrent requests keep every change', async () => {
    const makeStore = backend();
    const routed = new Registry({ name: 'handoff-routed', bases: [registry] });
    routed.registerUtility(new MemoryStore(), ISessionDataContainer, { name: 'products.bar' });
    const sessions = new Sessions({ store: makeStore(), registry: routed, secrets: [SECRET], sweepInterval: 0, lockLease: LEASE });
    opened.push(sessions);
    const cookie = await newSession(sessions);
    const bump = async (): Promise<void> => {
      const s = (await sessions.load(cookie))!;
      const bar = s.namespace('products.bar');
      bar.set('n', ((bar.get('n') as number | undefined) ?? 0) + 1);
      await sessions.commit(s);
    };
    await Promise.all(Array.from({ length: 40 }, bump));
    for (let i = 0; i < 10; i++) await bump();
    const s = (await sessions.load(cookie))!;
    expect(s.namespace('products.bar').get('n')).toBe(50);
    await sessions.abort(s);
  });

  it('a routed namespace emptied by a request handed the lease is deleted from its store; one never given data is never written', async () => {
    const makeStore = backend();
    const bar = new MemoryStore();
    const routed = new Registry({ name: 'handoff-routed-emptied', bases: [registry] });
    routed.registerUtility(bar, ISessionDataContainer, { name: 'products.bar' });
    const clock = frozen();
    const sessions = new Sessions({ store: makeStore(), registry: routed, secrets: [SECRET], sweepInterval: 0, lockLease: LEASE, clock });
    opened.push(sessions);
    const cookie = await newSession(sessions);
    const first = (await sessions.load(cookie))!;
    const key = `${first.uid}/products.bar`;
    expect(await bar.get(key, clock())).toBeUndefined();
    const second = sessions.load(cookie);
    const third = sessions.load(cookie);
    first.namespace('products.bar').set('n', 1);
    await sessions.commit(first);
    expect(await bar.get(key, clock())).toBeDefined();
    const emptying = (await second)!;
    expect(emptying.namespace('products.bar').delete('n')).toBe(true);
    await sessions.commit(emptying);
    const last = (await third)!;
    expect(last.namespace('products.bar').get('n')).toBeUndefined();
    await sessions.commit(last);
    expect(await bar.get(key, clock())).toBeUndefined();
  });

  it('the request handed the session gets a state of its own: a component the one before kept cannot reach it', async () => {
    const makeStore = backend();
    const sessions = manager(makeStore());
    const cookie = await newSession(sessions);
    const first = (await sessions.load(cookie))!;
    const queued = sessions.load(cookie);
    const kept = withRegistry(registry, () => ICounter(first));
    kept.value = 5;
    await sessions.commit(first);
    const second = (await queued)!;
    kept.value = 99; // a plain object cannot refuse this
    const counter = withRegistry(registry, () => ICounter(second));
    expect(counter).not.toBe(kept);
    expect(counter.value).toBe(5);
    counter.value += 1;
    await sessions.commit(second);
    expect(await counterOf(manager(makeStore()), cookie)).toBe(6);
  });

  it('the request handed the session gets its own copy of a component that is plain data: a change through the object the one before kept cannot reach it', async () => {
    const makeStore = backend();
    const sessions = manager(makeStore(), frozen());
    const cookie = await newSession(sessions);
    const first = (await sessions.load(cookie))!;
    const queued = sessions.load(cookie);
    const kept = { visits: 1, last: 'home' };
    first.setComponent(IVisits, kept); // stored as this very object
    await sessions.commit(first);
    kept.visits = 99;
    const second = (await queued)!;
    const visits = second.getComponent(IVisits)!;
    expect(visits).not.toBe(kept);
    expect(visits).toEqual({ visits: 1, last: 'home' });
    visits.visits += 1; // in place, through what this request got: seen by its commit
    await sessions.commit(second);
    visits.visits = 50; // after the commit, while the lease waits here for the next request: reaches nothing
    const third = (await sessions.load(cookie))!;
    expect(third.getComponent(IVisits)).toEqual({ visits: 2, last: 'home' });
    await sessions.abort(third);
    const other = manager(makeStore());
    const s = (await other.load(cookie))!;
    expect(s.getComponent(IVisits)).toEqual({ visits: 2, last: 'home' });
    expect(s.get('born')).toBe(true);
    await other.abort(s);
  });

  it('requests handed the session that change only a component keep the rest as the request before wrote it (data, cookie lifetime)', async () => {
    const makeStore = backend();
    const sessions = manager(makeStore(), frozen());
    const cookie = await newSession(sessions);
    const first = (await sessions.load(cookie))!;
    const queued = [sessions.load(cookie), sessions.load(cookie)];
    // A key named like the record's own fields, and text the codec must escape.
    first.set('components', { '"components":': 'a "quoted", \\ value' });
    first.cookieMaxAge = 600;
    withRegistry(registry, () => (ICounter(first).value = 1));
    const done = [sessions.commit(first)];
    for (const next of queued) {
      const s = (await next)!;
      withRegistry(registry, () => (ICounter(s).value += 1));
      done.push(sessions.commit(s));
    }
    await Promise.all(done);
    const other = manager(makeStore());
    const s = (await other.load(cookie))!;
    expect(withRegistry(registry, () => ICounter(s).value)).toBe(3);
    expect(s.get('components')).toEqual({ '"components":': 'a "quoted", \\ value' });
    expect(s.get('born')).toBe(true);
    expect(s.cookieMaxAge).toBe(600);
    await other.abort(s);
  });

  it('a staged commit answers only once it is durable, while the next request already works on its state', async () => {
    const makeStore = backend();
    const { store, hold, open } = gated(makeStore());
    const sessions = manager(store, frozen());
    const cookie = await newSession(sessions);
    hold();
    const { firstDone, second } = await handedOver(sessions, cookie, 1); // the state handed on before it is written
    let answered = false;
    void firstDone.then(() => (answered = true));
    expect(withRegistry(registry, () => ICounter(second).value)).toBe(1);
    withRegistry(registry, () => (ICounter(second).value += 1));
    const secondDone = sessions.commit(second);
    await turns(3);
    expect(answered).toBe(false); // the write is held back: nothing is acknowledged yet
    open();
    await Promise.all([firstDone, secondDone]);
    expect(await counterOf(manager(makeStore()), cookie)).toBe(2);
  });

  it('a request that fails after being handed a staged state: what the request before it committed is still written', async () => {
    const makeStore = backend();
    const sessions = manager(makeStore(), frozen());
    const cookie = await newSession(sessions);
    const { firstDone, second } = await handedOver(sessions, cookie, 7);
    withRegistry(registry, () => (ICounter(second).value = 100));
    await sessions.abort(second); // its handler threw
    await firstDone;
    expect(await within(counterOf(manager(makeStore()), cookie), 3000, 'the session, from another process')).toBe(7);
  });

  it('a commit refused for its data (SessionDataError) in a chain: the commit staged before it is still written', async () => {
    const makeStore = backend();
    const sessions = manager(makeStore(), frozen());
    const cookie = await newSession(sessions);
    const { firstDone, second } = await handedOver(sessions, cookie, 3);
    second.set('handler', () => undefined); // a function: the codec refuses it
    await expect(sessions.commit(second)).rejects.toBeInstanceOf(SessionDataError);
    await firstDone;
    expect(await within(counterOf(manager(makeStore()), cookie), 3000, 'the session, from another process')).toBe(3);
  });

  it('release on demand: another process waiting for the session gets it while this one\'s requests go on, and no update is lost', async () => {
    const makeStore = backend();
    const a = manager(makeStore(), frozen()); // a's chain never ends by its age
    const b = manager(makeStore());
    const cookie = await newSession(a);
    const chain = hotChain(a, cookie);
    try {
      await chain.served(30);
      await within(increment(b, cookie), 3000, "the other process's request");
    } finally {
      await chain.stop();
    }
    expect(await counterOf(b, cookie)).toBe(chain.done() + 1);
  });

  it('without release on demand a chain lasts at most CHAIN_MS: another process waiting for the session gets it, and no update is lost', async () => {
    let now = Date.now();
    const makeStore = backend();
    const a = manager(withoutWanted(makeStore()), () => now); // a's chain is timed by this clock alone
    const b = manager(makeStore());
    const cookie = await newSession(a);
    const chain = hotChain(a, cookie);
    try {
      await chain.served(30);
      // b waits while a's chain goes on (a keeps the lease: b gets busy answers and retries)…
      let bDone = false;
      const other = increment(b, cookie).then(() => (bDone = true));
      await chain.served(30);
      expect(bDone).toBe(false);
      // …until the chain is CHAIN_MS old: a gives the lease back; b, which polled for it, has the next turn.
      now += CHAIN_MS + 1;
      await within(other, 3000, "the other process's request");
    } finally {
      await chain.stop();
    }
    expect(await counterOf(b, cookie)).toBe(chain.done() + 1);
  });

  it('a process that gives the lease back and wants it again at once waits: another process that polled for it has the next turn', async () => {
    let offset = 0;
    const makeStore = backend();
    // The stores' clock stands still: b's turn cannot lapse however slowly this machine runs.
    const storeClock = frozen();
    // Without release on demand (with it, a would keep the lease until told that b waits).
    const a = manager(withoutWanted(makeStore(storeClock)), () => Date.now() + offset);
    let polled: () => void = () => undefined;
    const bPolled = new Promise<void>((r) => (polled = r));
    const bStore = makeStore(storeClock);
    const acquire = bStore.acquire.bind(bStore);
    bStore.acquire = async (...args) => {
      const got = await acquire(...args);
      if (got.state === 'busy') polled();
      return got;
    };
    const b = manager(bStore);
    const cookie = await newSession(a);
    const held = (await a.load(cookie))!;
    const other = increment(b, cookie);
    await within(bPolled, 2000, "the other process's first try");
    offset += 10; // not committed a moment ago: no request of a is expected, the lease goes back to the store
    await a.commit(held);
    // What a's next request reads says who went first (the order replies reach this one test
    // process in need not be the order the store served them in).
    const again = a.load(cookie).then(async (s) => {
      const seen = withRegistry(registry, () => ICounter(s!).value);
      await a.commit(s!);
      return seen;
    });
    const [, seenByA] = await within(Promise.all([other, again]), 5000, 'both requests');
    expect(seenByA).toBe(1); // b's increment came first
    expect(await counterOf(a, cookie)).toBe(1);
  });
});

it('a lease lost during a chain (taken over by another process) → the handed request commits a SessionConflictError; the other write stays', async () => {
  let now = Date.now();
  const clock = (): number => now;
  const path = join(dir, 'lost.db');
  const a = manager(new SqliteStore({ path, clock }), clock);
  const b = manager(new SqliteStore({ path, clock }), clock);
  const cookie = await newSession(a);
  const { firstDone, second } = await handedOver(a, cookie, 1); // handed over with the lease…
  await firstDone;
  now += LEASE + 1; // …which lapses (the process stalled)
  await increment(b, cookie); // another process takes it over and writes 2
  withRegistry(registry, () => (ICounter(second).value = 99));
  await expect(a.commit(second)).rejects.toBeInstanceOf(SessionConflictError);
  expect(await counterOf(b, cookie)).toBe(2);
});

it('a staged write the store refuses (the lease was taken over) fails every request that saw its state; the other write stays', async () => {
  let now = Date.now();
  const clock = (): number => now;
  const path = join(dir, 'lost-staged.db');
  const { store, hold, open } = gated(new SqliteStore({ path, clock }));
  const a = manager(store, clock);
  const b = manager(new SqliteStore({ path, clock }), clock);
  const cookie = await newSession(a);
  hold();
  const { firstDone, second } = await handedOver(a, cookie, 1);
  withRegistry(registry, () => (ICounter(second).value += 1));
  const secondDone = a.commit(second);
  now += LEASE + 1; // the process stalls past its lease…
  await increment(b, cookie); // …another takes the session over and writes 1
  open();
  await expect(firstDone).rejects.toBeInstanceOf(SessionConflictError);
  await expect(secondDone).rejects.toBeInstanceOf(SessionConflictError);
  expect(await counterOf(b, cookie)).toBe(1);
});

it('requests of one session one after another in a turn: the lease is parked between them, taken from the store once', async () => {
  const makeStore = sqliteBackend();
  const { store, calls } = counted(makeStore());
  const frozen = Date.now(); // each request within the 2 ms that make a session hot, however loaded the machine
  const sessions = manager(store, () => frozen);
  const cookie = await newSession(sessions);
  await increment(sessions, cookie);
  await increment(sessions, cookie); // committed just before: parked from now on
  calls.clear();
  for (let i = 0; i < 50; i++) await increment(sessions, cookie);
  expect(calls.get('acquire') ?? 0).toBe(0);
  expect(calls.get('commit')).toBe(50);
  expect(await counterOf(manager(makeStore()), cookie)).toBe(52);
});

it('a lease kept after a commit is taken by the next request however late, within half a lease: one store call a request', async () => {
  const makeStore = sqliteBackend();
  const { store, calls, polled } = counted(makeStore());
  let now = Date.now();
  const sessions = manager(store, () => now);
  const cookie = await newSession(sessions);
  await increment(sessions, cookie);
  calls.clear();
  for (let i = 0; i < 20; i++) {
    now += CHAIN_MS; // a chain's length after the request before, not yet half a lease after its write…
    await within(polled(), 1000, 'a poll for wanted leases'); // …and no one asked for it meanwhile: a new chain
    await increment(sessions, cookie);
  }
  expect(calls.get('acquire') ?? 0).toBe(0);
  expect(calls.get('commit')).toBe(20);
  now += LEASE; // the lease may have lapsed in the store: taken from it again
  await increment(sessions, cookie);
  expect(calls.get('acquire')).toBe(1);
  expect(await counterOf(manager(makeStore()), cookie)).toBe(22);
});

it.each(kinds)('%s: the web layer gets a session whose lease is kept here at once, with no store call and nothing to await', async (_, backend) => {
  const makeStore = backend();
  const { store, calls } = counted(makeStore());
  const sessions = manager(store, frozen());
  const cookie = await newSession(sessions);
  await increment(sessions, cookie); // its lease is kept after this commit
  calls.clear();
  const loaded = sessions[kLoadNow](cookie);
  expect(loaded).toBeInstanceOf(Session);
  expect(calls.size).toBe(0);
  const session = loaded as Session;
  withRegistry(registry, () => (ICounter(session).value += 1));
  await sessions.commit(session);
  // While a request holds it, the next one waits for it as before.
  const holding = (await sessions.load(cookie))!;
  const waiting = sessions[kLoadNow](cookie);
  expect(waiting).toBeInstanceOf(Promise);
  await sessions.abort(holding);
  await sessions.abort((await waiting)!);
  expect(await counterOf(manager(makeStore()), cookie)).toBe(2);
});

it('a kept lease goes back as soon as another process asks for it: that process gets the session at once', async () => {
  const makeStore = sqliteBackend();
  const a = manager(makeStore());
  const b = manager(makeStore());
  const cookie = await newSession(a);
  await increment(a, cookie);
  await increment(a, cookie); // kept now
  let got = false;
  const other = b.load(cookie).then((s) => ((got = true), s));
  await Promise.resolve();
  expect(got).toBe(false); // a keeps the lease (b is told busy, and a is told that b waits)
  const s = (await within(other, 1000, 'b once a gave the lease back'))!;
  expect(withRegistry(registry, () => ICounter(s).value)).toBe(2);
  await b.commit(s);
});

it('a session another process deletes while this one keeps its lease: the lease goes back, and the next request here finds no session instead of a conflict', async () => {
  const makeStore = sqliteBackend();
  const { store, calls } = counted(makeStore());
  const a = manager(store);
  const s = a.create();
  s.set('born', true);
  await a.commit(s);
  const [cookie, uid] = [a.cookieValue(s), s.uid];
  await increment(a, cookie); // kept for later
  const other = makeStore(); // another process: `dovetail sessions`, another worker's regenerate()
  try {
    expect(await other.delete(uid)).toBe(true);
  } finally {
    await other.close();
  }
  await until(() => calls.get('release') === 1, 1000, 'the kept lease given back');
  expect(await a.load(cookie)).toBeUndefined();
});

it('once another process asked for a lease, leases are kept only for a request due at once: a session moving between processes does not wait', async () => {
  const makeStore = sqliteBackend();
  let now = Date.now();
  const clock = (): number => now;
  const sides = [counted(makeStore()), counted(makeStore())];
  const [a, b] = sides.map(({ store }) => manager(store, clock));
  const cookie = await newSession(a!);
  await increment(a!, cookie); // kept for later
  now += 10;
  await within(increment(b!, cookie), 1000, 'b, once a gave the lease back'); // a is asked for it
  now += 10;
  await within(increment(a!, cookie), 1000, 'a, once b gave the lease back'); // b is asked for it
  for (const { calls } of sides) calls.clear();
  for (let i = 0; i < 10; i++) {
    now += 10; // not due at once: the lease goes back with the commit
    await increment(b!, cookie);
    now += 10;
    await increment(a!, cookie);
  }
  // Each request took the lease at its first try: the other process had given it back.
  expect(sides.map(({ calls }) => calls.get('acquire'))).toEqual([10, 10]);
  expect(await counterOf(a!, cookie)).toBe(23);
});

it('without release on demand a parked lease no request takes goes back by the end of the next turn: another process then gets the session at once', async () => {
  const makeStore = sqliteBackend();
  const a = manager(withoutWanted(makeStore()));
  const b = manager(makeStore());
  const cookie = await newSession(a);
  await increment(a, cookie);
  await increment(a, cookie); // parked now
  let got = false;
  const other = b.load(cookie).then((s) => ((got = true), s));
  await Promise.resolve();
  expect(got).toBe(false); // a keeps the lease (b is told busy and retries)
  const s = (await within(other, 1000, 'b once the parked lease went back'))!;
  expect(withRegistry(registry, () => ICounter(s).value)).toBe(2);
  await b.commit(s);
});

it('closing a manager gives its parked leases back: another process gets the session at once', async () => {
  const makeStore = sqliteBackend();
  const a = new Sessions({ store: makeStore(), registry, secrets: [SECRET], sweepInterval: 0, lockLease: LEASE });
  const b = manager(makeStore());
  const cookie = await newSession(a);
  await increment(a, cookie);
  await increment(a, cookie); // parked now
  await a.close();
  const s = (await within(b.load(cookie), 1000, 'b after a closed'))!;
  expect(withRegistry(registry, () => ICounter(s).value)).toBe(2);
  await b.commit(s);
});
