import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { encode } from './codec.js';
import { SessionDataError } from './errors.js';
import { encodeRecord, encodeRecordParts, sameStored, snapshotOf, withComponents } from './session-record.js';
import type { SessionRecord } from './session-record.js';

const record = (components: SessionRecord['components'], cookieMaxAge?: number | null): SessionRecord => {
  const r = { created: 1_764_650_000_000, timeout: 900, secure: false, data: { cart: ['book', { when: new Date(0) }] }, namespaces: { 'products.foo': { color: 'red' } }, components } as unknown as SessionRecord;
  if (cookieMaxAge !== undefined) r.cookieMaxAge = cookieMaxAge;
  return r;
};

/** The codec's path of a component's state (`components['app.IChat'].s`), as the program names it (without `.s`). */
const COMPONENT_STATE = /^(components\['(?:[^'\\]|\\.)*'\])\.s(?=$|[.[])/;

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
};

describe('a record encoded in two parts', () => {
  it('is the same text as the whole record through the codec', () => {
    for (const maxAge of [undefined, null, 3600]) {
      const r = record({ 'app.ICounter': { c: 'Counter', s: { value: 1 } }, $odd: { s: 1 } }, maxAge);
      expect(encodeRecordParts(r).payload).toBe(encode(r));
      expect(encodeRecord(r)).toBe(encode(r));
    }
    expect(encodeRecordParts(record({})).payload).toBe(encode(record({})));
  });

  it('new components spliced after the head give the text of the new record, with or without a cookie lifetime', () => {
    for (const maxAge of [undefined, null, 3600]) {
      const before = encodeRecordParts(record({ 'app.ICounter': { c: 'Counter', s: { value: 1 } } }, maxAge));
      const next = record({ 'app.ICounter': { c: 'Counter', s: { value: 2 } }, 'app.IPlain': { s: { items: ['a'] } } }, maxAge);
      expect(withComponents(before.payload, before.headLength, next.components, next.cookieMaxAge)).toBe(encode(next));
    }
  });

  it('is the codec\'s text, or its refusal with the same path, for any record the manager makes (property)', () => {
    const value = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('object'), tie('map')),
      leaf: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double(), fc.date({ noInvalidDate: true }), fc.constant(() => 0)),
      object: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('$date', 'data', '__proto__')), tie('tree'), { maxKeys: 3, noNullPrototype: true }),
      map: fc.array(fc.tuple(fc.string(), tie('tree')), { maxLength: 2 }).map((e) => new Map(e)),
    })).tree;
    const object = fc.dictionary(fc.string(), value, { maxKeys: 3, noNullPrototype: true });
    const made = fc.record({
      created: fc.oneof(fc.integer({ min: 0 }), fc.double()),
      timeout: fc.oneof(fc.integer({ min: 1, max: 34_560_000 }), fc.double()),
      secure: fc.boolean(),
      data: object,
      namespaces: fc.dictionary(fc.string(), object, { maxKeys: 2, noNullPrototype: true }),
      components: fc.dictionary(
        fc.oneof(fc.string(), fc.constantFrom('$odd', '__proto__', 'app.ICounter')),
        fc.record({ c: fc.string(), s: value, r: fc.array(fc.string(), { maxLength: 2 }) }, { requiredKeys: ['s'] }),
        { maxKeys: 2, noNullPrototype: true },
      ),
      cookieMaxAge: fc.option(fc.oneof(fc.constant(null), fc.integer({ min: 0 })), { nil: undefined }),
    });
    fc.assert(
      fc.property(made, ({ cookieMaxAge, ...fields }) => {
        // The fields in toRecord's order, the cookie lifetime only when set.
        const r = (cookieMaxAge === undefined ? fields : { ...fields, cookieMaxAge }) as SessionRecord;
        const expected = thrown(() => encode(r)) ?? encode(r);
        const actual = thrown(() => encodeRecordParts(r).payload) ?? encodeRecordParts(r).payload;
        if (typeof expected === 'string') expect(actual).toBe(expected);
        // A component's refusal names the program's path, not the codec's (the test below).
        else expect(actual).toMatchObject({ name: 'SessionDataError', path: (expected as SessionDataError).path.replace(COMPONENT_STATE, '$1') });
      }),
      { numRuns: 500 },
    );
  });

  it('a component the codec cannot carry is refused with its path as the program sees it, in either form', () => {
    const bad = { 'app.IChat': { c: 'Chat', s: { socket: () => undefined } } };
    const before = encodeRecordParts(record({}));
    for (const encodeIt of [() => encodeRecord(record(bad)), () => withComponents(before.payload, before.headLength, bad, undefined)]) {
      const error = thrown(encodeIt);
      expect(error).toBeInstanceOf(SessionDataError);
      expect(error).toMatchObject({ path: "components['app.IChat'].socket" });
    }
  });
});

describe("a new session's component compared with its copy from when it was built", () => {
  // Few values, the tricky ones among them, so that two draws are often equal, or nearly.
  const scalar = fc.constantFrom(0, -0, 1, NaN, Infinity, '', '0', 'NaN', true, null, undefined, 0n, 1n);
  const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 1 }), fc.dictionary(fc.constantFrom('$num', 'x'), scalar, { maxKeys: 1 }));
  const state = fc.oneof(value, fc.dictionary(fc.constantFrom('value', '$undef', '__proto__'), value, { maxKeys: 2 }));
  const stored = fc.record({ c: fc.option(fc.constantFrom('Counter', 'Cart'), { nil: undefined }), s: state, r: fc.option(fc.constantFrom<string[]>(['session'], ['owner']), { nil: undefined }) });

  it('is the same exactly when the two encode the same (property)', () => {
    fc.assert(
      fc.property(stored, stored, (a, now) => {
        const snapshot = snapshotOf(a);
        if (snapshot === undefined) return; // something nested: the encodings are compared instead
        expect(sameStored(snapshot, now)).toBe(encode(a) === encode(now));
        expect(sameStored(snapshot, a)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is a copy: a change made in place afterwards is seen', () => {
    const counter = { c: 'Counter', s: { value: 0 }, r: ['session'] };
    const snapshot = snapshotOf(counter)!;
    counter.s.value = 1;
    expect(sameStored(snapshot, counter)).toBe(false);
    counter.s.value = 0;
    expect(sameStored(snapshot, counter)).toBe(true);
    expect(snapshotOf({ c: 'Cart', s: { items: [] } })).toBeUndefined(); // an array can change in place: encoded instead
  });
});
