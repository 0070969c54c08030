import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decode } from './codec.js';
import { recordOf, twinOf, twinWithComponents } from './record-twin.js';
import { encodeRecordParts, withComponents } from './session-record.js';
import type { SessionRecord, StoredRecord } from './session-record.js';

/** The same tree down to each scalar (`Object.is`), with the same keys in the same order and the same prototypes. */
function sameTree(a: unknown, b: unknown, at = ''): void {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    if (!Object.is(a, b)) throw new Error(`${at || '(root)'}: ${String(a)} is not ${String(b)}`);
    return;
  }
  expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
  const keys = Object.keys(a);
  expect(keys).toEqual(Object.keys(b));
  for (const key of keys) sameTree((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${at}.${key}`);
}

// The values the codec writes as tags, or that JSON alone would change, among plain ones.
const scalar = fc.constantFrom(0, -0, 1.5, NaN, -Infinity, '', 'x', '{"$undef":1}', true, false, null, undefined, 0n, 12345678901234567890n);
const key = fc.constantFrom('value', 'v', '$undef', '$date', '__proto__', 'components', '0', '10');
const flat = fc.dictionary(key, scalar, { maxKeys: 3 });
// Something nested: what a twin must not be made of.
const nested = fc.constantFrom<unknown>([1], { deep: { x: 1 } }, new Date(0), new Map([[1, 2]]), new Set([1]), Buffer.from('ab'));
const state = fc.oneof({ weight: 4, arbitrary: fc.oneof(scalar, flat) }, { weight: 1, arbitrary: nested });
// As `storeComponent` makes them: no class name for plain data, no reference list when none.
const component = fc.record({ c: fc.constantFrom('Counter', 'Cart'), s: state, r: fc.constantFrom(['session'], ['owner', 'session']) }, { requiredKeys: ['s'] });
const components = fc.dictionary(fc.constantFrom('app.ICounter', 'app.ICart', '$odd'), component, { maxKeys: 2 });
const record = fc.record({
  created: fc.integer({ min: 0, max: 2 ** 45 }),
  timeout: fc.integer({ min: 0, max: 86_400 }),
  secure: fc.boolean(),
  data: fc.oneof({ weight: 4, arbitrary: flat }, { weight: 1, arbitrary: fc.dictionary(key, nested, { minKeys: 1, maxKeys: 1 }) }),
  namespaces: fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.constant({ 'products.foo': { color: 'red' } }) }),
  components,
  cookieMaxAge: fc.option(fc.constantFrom<number | null>(null, 600), { nil: undefined }),
});

/** The record as a commit has it: the cookie lifetime only when set. */
const asCommitted = ({ cookieMaxAge, ...fields }: StoredRecord): StoredRecord => (cookieMaxAge === undefined ? fields : { ...fields, cookieMaxAge });

const isScalar = (v: unknown): boolean => v === null || typeof v !== 'object';
const isPlainObject = (v: unknown): boolean => !isScalar(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null);
const copyable = (v: unknown): boolean => isScalar(v) || (isPlainObject(v) && Object.values(v as object).every(isScalar));
const hasTwin = (r: StoredRecord): boolean => Object.keys(r.namespaces).length === 0 && copyable(r.data) && Object.values(r.components).every((c) => copyable(c.s));

describe("a committed payload's twin", () => {
  it('is what decoding the payload gives, exactly, and there is one unless the record has something nested (property)', () => {
    fc.assert(
      fc.property(record, (drawn) => {
        const r = asCommitted(drawn as StoredRecord);
        const { payload } = encodeRecordParts(r as SessionRecord);
        const twin = twinOf(payload, r);
        expect(twin !== null).toBe(hasTwin(r));
        if (twin !== null) sameTree(recordOf(twin), decode(payload));
      }),
      { numRuns: 2000 },
    );
  });

  it('spliced with new components is what decoding the spliced payload gives (property)', () => {
    fc.assert(
      fc.property(record, components, fc.option(fc.constantFrom<number | null>(null, 60), { nil: undefined }), (drawn, next, maxAge) => {
        const r = asCommitted(drawn as StoredRecord);
        const { payload, headLength } = encodeRecordParts(r as SessionRecord);
        const twin = twinOf(payload, r);
        if (twin === null) return;
        const spliced = withComponents(payload, headLength, next as SessionRecord['components'], maxAge);
        const after = twinWithComponents(twin, spliced, next as SessionRecord['components'], maxAge);
        expect(after !== null).toBe(Object.values(next).every((c) => copyable(c.s)));
        if (after !== null) sameTree(recordOf(after), decode(spliced));
      }),
      { numRuns: 2000 },
    );
  });

  it('is a copy: a change in place of what it was made from does not reach it (each load copies what it keeps: applyRecord with shared)', () => {
    const counter = { value: 1 };
    const data = { born: true };
    const r: StoredRecord = { created: 0, timeout: 900, secure: false, data, namespaces: {}, components: { 'app.ICounter': { c: 'Counter', s: counter, r: ['original'] } } };
    const twin = twinOf(encodeRecordParts(r as SessionRecord).payload, r)!;
    counter.value = 99;
    data.born = false;
    r.components['app.ICounter']!.r!.push('other');
    expect(recordOf(twin)).toEqual({ created: 0, timeout: 900, secure: false, data: { born: true }, namespaces: {}, components: { 'app.ICounter': { c: 'Counter', s: { value: 1 }, r: ['original'] } } });
  });
});
