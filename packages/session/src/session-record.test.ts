import { describe, expect, it } from '@jest/globals';
import { encode } from './codec.js';
import { SessionDataError } from './errors.js';
import { encodeRecord, encodeRecordParts, withComponents } from './session-record.js';
import type { SessionRecord } from './session-record.js';

const record = (components: SessionRecord['components'], cookieMaxAge?: number | null): SessionRecord => {
  const r = { created: 1_764_650_000_000, timeout: 900, secure: false, data: { cart: ['book', { when: new Date(0) }] }, namespaces: { 'products.foo': { color: 'red' } }, components } as unknown as SessionRecord;
  if (cookieMaxAge !== undefined) r.cookieMaxAge = cookieMaxAge;
  return r;
};

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
