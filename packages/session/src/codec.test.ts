import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { codecVersion, decode, encode } from './codec.js';
import { SessionDataError } from './errors.js';

const roundTrip = (x: unknown): unknown => decode(encode(x));

function dataError(fn: () => unknown): SessionDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SessionDataError);
    return e as SessionDataError;
  }
  throw new Error('expected a SessionDataError');
}

describe('encode', () => {
  it('plain json → written as plain json, no tags', () => {
    expect(encode({ components: { 'myapp.ICounter': { value: 3 } } })).toBe(
      '{"components":{"myapp.ICounter":{"value":3}}}',
    );
    expect(codecVersion).toBe(1);
  });

  it('supported non-json values → round-trip exactly', () => {
    const value = {
      when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)),
      prefs: new Map<unknown, unknown>([
        ['theme', 'dark'],
        [{ k: 1 }, new Set([1, 2n])],
      ]),
      tags: new Set(['a', 'b']),
      big: 12345678901234567890n,
      nums: [NaN, Infinity, -Infinity, -0, 0, 1.5],
      missing: undefined,
      slots: [1, undefined, 3],
      bytes: new Uint8Array([0, 1, 254, 255]),
      buffer: Buffer.from('hi'),
    };
    const back = roundTrip(value) as typeof value;
    expect(back).toStrictEqual(value);
    expect(Object.keys(back)).toContain('missing');
    expect(Object.is(back.nums[3], -0)).toBe(true);
    expect(back.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(back.bytes)).toBe(false);
    expect(Buffer.isBuffer(back.buffer)).toBe(true);
  });

  it('plain objects shaped like tags → escaped and round-trip as plain objects', () => {
    const value = { a: { $date: 'not a date' }, b: { $esc: { $undef: 1 } }, c: { $x: 1, y: 2 }, d: { $unknown: [1] } };
    expect(roundTrip(value)).toStrictEqual(value);
    expect(roundTrip({ $map: [] })).toStrictEqual({ $map: [] });
  });

  it("an own '__proto__' key → kept as data, prototype untouched", () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"x":{"$date":1}}') as Record<string, unknown>;
    const back = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'x']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // A tagged sibling forces a copy: the copy must keep '__proto__' as an own key too.
    const withTag = Object.assign(JSON.parse('{"__proto__":{"a":1}}') as object, { when: new Date(0) });
    const back2 = roundTrip(withTag) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(back2, '__proto__')?.value).toEqual({ a: 1 });
    expect(back2.when).toEqual(new Date(0));
  });

  it('a shared (non-cyclic) reference → decoded as two equal copies', () => {
    const shared = { n: 1 };
    const back = roundTrip({ a: shared, b: shared }) as { a: object; b: object };
    expect(back.a).toEqual(back.b);
    expect(back.a).not.toBe(back.b);
  });

  it('symbol-keyed properties → skipped, as JSON.stringify skips them', () => {
    expect(roundTrip({ a: 1, [Symbol('meta')]: 2 })).toStrictEqual({ a: 1 });
  });

  it('a function → SessionDataError naming the exact path', () => {
    const e = dataError(() => encode({ cart: [1, 2, { when: () => 0 }] }, 'data'));
    expect(e.path).toBe('data.cart[2].when');
    expect(e.code).toBe('DT_SESSION_DATA');
    expect(e.message).toContain('data.cart[2].when');
  });

  it('a socket in a component → path with the quoted interface name', () => {
    const socket = new Socket();
    const e = dataError(() => encode({ components: { 'myapp.ICounter': { value: 1, socket } } }));
    expect(e.path).toBe("components['myapp.ICounter'].socket");
    expect(e.reason).toContain('Socket');
  });

  it.each([
    ['a symbol', Symbol('s')],
    ['an EventEmitter', new EventEmitter()],
    ['a Promise', Promise.resolve(1)],
    ['a WeakMap', new WeakMap()],
    ['an Error', new Error('x')],
    ['a class instance', new (class Point { x = 1 })()],
    ['an invalid Date', new Date(NaN)],
    ['a boxed string', Object('s') as object],
  ])('%s → refused at its path', (_label, bad) => {
    expect(dataError(() => encode({ ns: { v: bad } })).path).toBe('ns.v');
  });

  it('a bad map value → path as .get("key")', () => {
    const e = dataError(() => encode({ prefs: new Map([['k', () => 0]]) }));
    expect(e.path).toBe('prefs.get("k")');
  });

  it('a bad set element or map key → path names its position', () => {
    expect(dataError(() => encode({ s: new Set([1, Symbol('x')]) })).path).toBe('s.values()[1]');
    expect(dataError(() => encode({ m: new Map([[Symbol('x'), 1]]) })).path).toBe('m.keys()[0]');
  });

  it('a cycle → refused where it closes, naming the ancestor', () => {
    const a: Record<string, unknown> = { b: { list: [] as unknown[] } };
    ((a.b as { list: unknown[] }).list).push(a.b);
    const e = dataError(() => encode({ data: a }));
    expect(e.path).toBe('data.b.list[0]');
    expect(e.reason).toContain('data.b');
    const self: Record<string, unknown> = {};
    self.me = self;
    expect(dataError(() => encode(self)).path).toBe('me');
  });

  it('a sparse array → refused at the hole', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(dataError(() => encode({ list: [1, , 3] })).path).toBe('list[1]');
  });

  it('odd keys → quoted in the path', () => {
    expect(dataError(() => encode({ "it's": { 'a b': () => 0 } })).path).toBe("['it\\'s']['a b']");
  });
});

describe('decode', () => {
  it('junk → SessionDataError with the whole session as path', () => {
    const e = dataError(() => decode('{nope'));
    expect(e.path).toBe('');
    expect(dataError(() => decode('{"$what":1}')).reason).toContain('unknown tag');
    expect(dataError(() => decode('{"$date":"yesterday"}')).reason).toContain('$date');
  });

  it('a newer codec version → refused, saying which version', () => {
    expect(dataError(() => decode('2:{"a":1}')).reason).toContain('version 2');
  });
});

describe('codec round trip (property)', () => {
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      tie('array'),
      tie('object'),
      tie('map'),
      tie('set'),
    ),
    leaf: fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.double(),
      fc.integer(),
      fc.bigInt(),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 8 }),
    ),
    array: fc.array(tie('tree'), { maxLength: 4 }),
    object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('$date', '$esc', '$undef', '__proto__', '$')), tie('tree'), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
    map: fc.array(fc.tuple(tie('tree'), tie('tree')), { maxLength: 3 }).map((e) => new Map(e)),
    set: fc.array(tie('tree'), { maxLength: 3 }).map((e) => new Set(e)),
  }));

  it('decode(encode(x)) deep-equals x for every supported value', () => {
    fc.assert(
      fc.property(tree, (x) => {
        expect(roundTrip(x)).toStrictEqual(x);
      }),
      { numRuns: 500 },
    );
  });
});
