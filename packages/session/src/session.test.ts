import { defineInterface, implementer } from '@dovetail/interfaces';
import { Adapter, Registry, withRegistry } from '@dovetail/registry';
import { describe, expect, it } from '@jest/globals';
import { decode, encode } from './codec.js';
import { SessionClosedError, SessionDataError } from './errors.js';
import { kClose, kState } from './internal-symbols.js';
import { SessionData } from './session-data.js';
import { newSessionId } from './session-id.js';
import { registerSessionClass } from './session-record.js';
import { Session } from './session.js';
import type { SessionRecord } from './session-record.js';

const ICount = defineInterface<{ value: number }>('dovetail.test.session.ICount');
const IState = defineInterface<{ n: number }>('dovetail.test.session.IState');
const ITemp = defineInterface<{ t: number }>('dovetail.test.session.ITemp');
const IPlain = defineInterface<unknown>('dovetail.test.session.IPlain');
const IBag = defineInterface<Bag>('dovetail.test.session.IBag');
const IStray = defineInterface<unknown>('dovetail.test.session.IStray');

@implementer(ICount)
class Count extends Adapter<Session> {
  value = 0;
}

@implementer(IState)
class State {
  n = 1;
  toState() {
    return { doubled: this.n * 2 };
  }
  static fromState(state: { doubled: number }): State {
    const s = new State();
    s.n = state.doubled / 2;
    return s;
  }
}

@implementer(ITemp)
class Temp {
  static temporaryAdapter = true;
  t = 1;
}

class Bag {
  things = ['a'];
}
registerSessionClass(Bag);

class Stray {
  x = 1;
}

/** A component that keeps the very state object it is restored from. */
class Keeper {
  constructor(readonly state: { value: number }) {}
  toState(): { value: number } {
    return this.state;
  }
  static fromState(state: { value: number }): Keeper {
    return new Keeper(state);
  }
}
registerSessionClass(Keeper);
const IKeeper = defineInterface<Keeper>('dovetail.test.session.IKeeper');

function registry(): Registry {
  const reg = new Registry({ name: 'session.test' });
  reg.registerAdapter(Count, Session, ICount);
  reg.registerAdapter(State, Session, IState);
  reg.registerAdapter(Temp, Session, ITemp);
  return reg;
}

describe('new Session', () => {
  it('has a fresh 256-bit url-safe uid, is new, not secure, not expired, with a 900 s timeout', () => {
    const s = new Session();
    expect(s.uid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Session().uid).not.toBe(s.uid);
    expect(newSessionId()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.isNew).toBe(true);
    expect(s.secure).toBe(false);
    expect(s.expired).toBe(false);
    expect(s.timeout).toBe(900);
    expect(s.created).toBe(s.lastAccessed);
    expect(String(s)).toBe(`<Session …${s.uid.slice(-6)}>`);
  });
});

describe('Session: the dictionary view', () => {
  it('get/set/has/delete/keys/entries/size/clear behave like a Map; get takes a fallback', () => {
    const s = new Session();
    expect(s.set('a', 1).set('b', 2)).toBe(s);
    expect(s.get('a')).toBe(1);
    expect(s.get('zz', 'dflt')).toBe('dflt');
    expect(s.has('b')).toBe(true);
    expect(s.delete('b')).toBe(true);
    expect(s.delete('b')).toBe(false);
    expect([...s.keys()]).toEqual(['a']);
    expect([...s.entries()]).toEqual([['a', 1]]);
    expect(s.size).toBe(1);
    s.namespace('pkg').set('k', 1);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.namespace('pkg').get('k')).toBe(1);
  });
});

describe('Session#flash, #popFlash, #peekFlash', () => {
  it('allowDuplicate=false does not add a message already queued (as Pyramid: two flash("hi") + one no-dup → two)', () => {
    const s = new Session();
    s.flash('hi');
    s.flash('hi');
    s.flash('hi', '', false);
    s.flash('new', '', false);
    s.flash('new', '', false);
    expect(s.peekFlash()).toEqual(['hi', 'hi', 'new']);
  });

  it('queues are separate; popFlash empties one queue, peekFlash returns a copy', () => {
    const s = new Session();
    s.flash('saved');
    s.flash('careful', 'warn');
    const peeked = s.peekFlash('warn');
    peeked.push('not kept');
    expect(s.peekFlash('warn')).toEqual(['careful']);
    expect(s.popFlash()).toEqual(['saved']);
    expect(s.popFlash()).toEqual([]);
    expect(s.popFlash('warn')).toEqual(['careful']);
    expect(s.popFlash('nothing')).toEqual([]);
  });
});

describe('Session CSRF tokens', () => {
  it('getCsrfToken() makes one on first use and keeps it; newCsrfToken() replaces it', () => {
    const s = new Session();
    const t = s.getCsrfToken();
    expect(t).toMatch(/^[0-9a-f]{40}$/);
    expect(s.getCsrfToken()).toBe(t);
    const u = s.newCsrfToken();
    expect(u).not.toBe(t);
    expect(s.getCsrfToken()).toBe(u);
  });
});

describe('Session#namespace', () => {
  it('gives the same SessionData for the same package id, created on first use, separate per package', () => {
    const s = new Session();
    expect(s.namespaces()).toEqual([]);
    const foo = s.namespace('products.foo');
    expect(foo).toBeInstanceOf(SessionData);
    expect(foo.name).toBe('products.foo');
    expect(s.namespace('products.foo')).toBe(foo);
    foo.set('color', 'red');
    s.namespace('products.bar').set('color', 'blue');
    expect(s.namespace('products.foo').get('color')).toBe('red');
    expect(s.namespaces()).toEqual(['products.foo', 'products.bar']);
    expect(s[kState].namespaceRecord('products.foo')).toEqual({ color: 'red' });
    expect(s[kState].namespaceRecord('empty')).toBeUndefined();
  });
});

describe('Session#expire, #invalidate, #regenerate, #changed', () => {
  it('expire() is idempotent and only marks the session: the manager ends it at the commit', () => {
    const s = new Session();
    s.expire();
    s.invalidate();
    s.expire();
    expect(s.expired).toBe(true);
  });

  it('regenerate() changes the uid, remembers the old ones once, and forces a write', () => {
    const s = new Session();
    const first = s.uid;
    s.regenerate();
    const second = s.uid;
    s.regenerate();
    expect(new Set([first, second, s.uid]).size).toBe(3);
    expect(s[kState].takeRetiredUids()).toEqual([first, second]);
    expect(s[kState].takeRetiredUids()).toEqual([]);
    expect(s[kState].takeForced()).toBe(true);
    expect(s[kState].takeForced()).toBe(false);
    s.changed();
    expect(s[kState].takeForced()).toBe(true);
  });

  it("a session's id starts with the time on its clock: its creation time, then the time of regenerate()", () => {
    let now = 1_700_000_000_000;
    const timeOf = (uid: string): number => Buffer.from(uid, 'base64url').readUIntBE(0, 6);
    const s = new Session({ clock: () => now });
    expect(timeOf(s.uid)).toBe(s.created);
    expect(s.created).toBe(1_700_000_000_000);
    now += 61_000;
    s.regenerate();
    expect(timeOf(s.uid)).toBe(1_700_000_061_000);
    expect(timeOf(new Session({ created: 42, clock: () => now }).uid)).toBe(42);
  });

  it('runExpiryCallbacks() runs every callback once, even after one throws, then disposes components; returns the errors', () =>
    withRegistry(registry(), () => {
      const s = new Session();
      const calls: string[] = [];
      const boom = new Error('boom');
      s.notifyOnExpire(() => calls.push('a'));
      s.notifyOnExpire(() => {
        throw boom;
      });
      s.notifyOnExpire(() => calls.push('c'));
      s.setComponent(IPlain, { [Symbol.dispose]: () => calls.push('disposed') });
      expect(s[kState].runExpiryCallbacks()).toEqual([boom]);
      expect(calls).toEqual(['a', 'c', 'disposed']);
      calls.length = 0;
      s[kState].runExpiryCallbacks();
      expect(calls).toEqual(['disposed']);
    }));
});

describe('Session#toRecord and #applyRecord', () => {
  it('round trip through the codec: data, namespaces, components (class, fromState, plain, registered class, session refs)', () => {
    const reg = registry();
    withRegistry(reg, () => {
      const s = new Session({ timeout: 120, secure: true });
      s.set('visits', 3).set('when', new Date(5));
      s.namespace('products.foo').set('color', 'red');
      s.namespace('empty');
      ICount(s).value = 7;
      IState(s).n = 21;
      ITemp(s).t = 9;
      s.setComponent(ITemp, new Temp());
      s.setComponent(IPlain, { list: [1, 2] });
      s.setComponent(IBag, new Bag());

      const record = s[kState].toRecord(reg, null);
      expect(Object.keys(record.components).sort()).toEqual([IBag.name, ICount.name, IPlain.name, IState.name].sort());
      expect(record.components[ICount.name]).toEqual({ c: 'Count', s: { value: 7 }, r: ['original'] });
      expect(record.components[IState.name]).toEqual({ c: 'State', s: { doubled: 42 } });
      expect(record.components[IPlain.name]).toEqual({ s: { list: [1, 2] } });
      expect(record.namespaces).toEqual({ 'products.foo': { color: 'red' } });
      expect(record.timeout).toBe(120);
      expect(record.secure).toBe(true);

      const back = new Session({ uid: s.uid, isNew: false, secure: record.secure }); // as the manager does: secure is fixed at construction
      const decoded = decode(encode(record)) as SessionRecord;
      const lost = back[kState].applyRecord(decoded, decoded.lastAccessed, reg);
      expect(lost).toEqual([]);
      expect(back.get('visits')).toBe(3);
      expect(back.get('when')).toEqual(new Date(5));
      expect(back.namespace('products.foo').get('color')).toBe('red');
      expect(back.timeout).toBe(120);
      expect(back.created).toBe(s.created);
      const count = ICount(back) as Count;
      expect(count).toBeInstanceOf(Count);
      expect(count.value).toBe(7);
      expect(count.original).toBe(back);
      expect(IState(back)).toBeInstanceOf(State);
      expect(IState(back).n).toBe(21);
      expect(back.getComponent(IPlain)).toEqual({ list: [1, 2] });
      expect(back.getComponent(IBag)).toBeInstanceOf(Bag);
      expect([...back.componentEntries()].map(([iface]) => iface)).not.toContain(ITemp);
      expect(back[kState].toRecord(reg, null)).toEqual({ ...record, lastAccessed: back.lastAccessed });
    });
  });

  it('applyRecord replaces everything the session had (a rollback)', () => {
    const reg = registry();
    withRegistry(reg, () => {
      const s = new Session();
      s.set('a', 1);
      ICount(s).value = 1;
      const committed = decode(encode(s[kState].toRecord(reg, null))) as SessionRecord;
      s.set('b', 2);
      s.namespace('x').set('y', 1);
      ICount(s).value = 99;
      s.setComponent(IPlain, 'extra');
      s[kState].applyRecord(committed, committed.lastAccessed, reg);
      expect([...s.keys()]).toEqual(['a']);
      expect(s.namespaces()).toEqual([]);
      expect(ICount(s).value).toBe(1);
      expect(s.getComponent(IPlain, null)).toBeNull();
    });
  });

  it('applyRecord of a shared record (a twin, which later loads read) gives the session copies of what it would keep', () => {
    const reg = registry();
    withRegistry(reg, () => {
      const twinRecord = (): SessionRecord => ({
        created: 1,
        timeout: 60,
        secure: false,
        lastAccessed: 2,
        data: {},
        namespaces: {},
        components: { [IPlain.name]: { s: { value: 1 } }, [IKeeper.name]: { c: 'Keeper', s: { value: 1 } }, [ICount.name]: { c: 'Count', s: { value: 1 }, r: ['original'] } },
      });
      const shared = twinRecord();
      for (let load = 0; load < 2; load++) {
        const s = new Session({ isNew: false });
        expect(s[kState].applyRecord(shared, 2, reg, true)).toEqual([]);
        (s.getComponent(IPlain) as { value: number }).value = 5;
        s.getComponent(IKeeper)!.state.value = 5;
        ICount(s).value = 5;
        expect((ICount(s) as Count).original).toBe(s);
        expect(shared).toEqual(twinRecord());
      }
      // Not shared (just decoded for this load): plain data and fromState keep the record's own objects.
      const own = twinRecord();
      const s = new Session({ isNew: false });
      s[kState].applyRecord(own, 2, reg);
      expect(s.getComponent(IPlain)).toBe(own.components[IPlain.name]!.s);
      expect(s.getComponent(IKeeper)!.state).toBe(own.components[IKeeper.name]!.s);
    });
  });

  it('toRecord skips the namespaces routed elsewhere', () => {
    const reg = registry();
    const s = new Session();
    s.namespace('routed').set('a', 1);
    s.namespace('kept').set('b', 2);
    expect(s[kState].toRecord(reg, new Set(['routed'])).namespaces).toEqual({ kept: { b: 2 } });
  });

  it('a component whose class cannot be found again → SessionDataError naming components[...]', () => {
    const reg = registry();
    const s = new Session();
    s.setComponent(IStray, new Stray());
    let error: unknown;
    try {
      s[kState].toRecord(reg, null);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SessionDataError);
    expect((error as SessionDataError).path).toBe(`components['${IStray.name}']`);
    expect((error as SessionDataError).message).toContain('registerSessionClass(Stray)');
  });

  it('applyRecord reports components it cannot restore (unknown interface or class) and keeps the rest', () => {
    const reg = registry();
    const s = new Session();
    const lost = s[kState].applyRecord(
      {
        created: 1,
        timeout: 60,
        secure: false,
        data: { a: 1 },
        namespaces: {},
        components: {
          'dovetail.test.session.NeverDefined': { s: 1 },
          [IStray.name]: { c: 'Stray', s: { x: 1 } },
          [IPlain.name]: { s: 'plain' },
        },
      },
      2,
      reg,
    );
    expect(lost.sort()).toEqual(['dovetail.test.session.NeverDefined', IStray.name].sort());
    expect(s.getComponent(IPlain)).toBe('plain');
    expect(s.get('a')).toBe(1);
  });
});

describe('a closed Session handle', () => {
  const closed = (): Session => {
    const s = new Session({ clock: () => Date.UTC(2030, 0, 2, 3, 4, 5) });
    s.set('kept', 1);
    s[kClose]('committed', Date.UTC(2030, 0, 2, 3, 4, 5));
    return s;
  };

  it('every change throws SessionClosedError saying what was asked, when the commit started and how to load it again', () => {
    const reg = registry();
    const changes: [string, (s: Session) => unknown][] = [
      ['set', (s) => s.set('x', 2)],
      ['delete', (s) => s.delete('kept')],
      ['clear', (s) => s.clear()],
      ['namespace write', (s) => s.namespace('products.foo').set('color', 'red')],
      ['namespace delete', (s) => s.namespace('products.foo').delete('color')],
      ['namespace clear', (s) => s.namespace('products.foo').clear()],
      ['setComponent', (s) => s.setComponent(IPlain, { a: 1 })],
      ['regenerate', (s) => s.regenerate()],
      ['expire', (s) => s.expire()],
      ['invalidate', (s) => s.invalidate()],
      ['flash', (s) => s.flash('hi')],
      ['newCsrfToken', (s) => s.newCsrfToken()],
      ['touch', (s) => s.touch()],
      ['changed', (s) => s.changed()],
      ['timeout', (s) => (s.timeout = 5)],
      ['notifyOnExpire', (s) => s.notifyOnExpire(() => undefined)],
      ['adapting', (s) => withRegistry(reg, () => ICount(s))],
      ['getComponent', (s) => withRegistry(reg, () => s.getComponent(ICount))],
    ];
    for (const [what, change] of changes) {
      const s = closed();
      let error: unknown;
      try {
        change(s);
      } catch (e) {
        error = e;
      }
      expect([what, error]).toEqual([what, expect.any(SessionClosedError)]);
      const e = error as SessionClosedError;
      expect(e.code).toBe('DT_SESSION_CLOSED');
      expect(e.message).toContain('2030-01-02T03:04:05.000Z');
      expect(e.message).toContain('sessions.load(cookie)');
      expect(e.message).not.toContain(s[kState].uid);
      expect(s.get('kept')).toBe(1);
    }
  });

  it('reads still work: get, has, keys, size, peekFlash, namespace reads, uid', () => {
    const s = closed();
    expect(s.get('kept')).toBe(1);
    expect(s.has('kept')).toBe(true);
    expect([...s.keys()]).toEqual(['kept']);
    expect(s.size).toBe(1);
    expect(s.peekFlash()).toEqual([]);
    expect(s.popFlash()).toEqual([]);
    expect(s.namespace('products.foo').get('color')).toBeUndefined();
    expect(s.uid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a view got before the commit refuses changes after it', () => {
    const s = new Session();
    const foo = s.namespace('products.foo');
    foo.set('color', 'red');
    s[kClose]('committed', 0);
    expect(() => foo.set('color', 'blue')).toThrow(SessionClosedError);
    expect(foo.get('color')).toBe('red');
  });

  it('an ended handle (given to expiry handlers) adapts and reads, but refuses changes', () => {
    const reg = registry();
    const s = new Session();
    withRegistry(reg, () => (ICount(s).value = 3));
    s[kClose]('ended', 0);
    expect(withRegistry(reg, () => ICount(s).value)).toBe(3);
    expect(() => s.set('x', 1)).toThrow(/has ended/);
  });
});
