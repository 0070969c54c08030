import { Session } from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import { InvalidOptionError } from './errors.js';
import { sessionPath } from './session-path.js';

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const expectType = <T extends true>(): T | void => undefined;

const session = (): Session => {
  const s = new Session();
  s.set('counter', 3);
  s.namespace('products.foo').set('color', 'red');
  return s;
};

describe('sessionPath', () => {
  it("'key' reads the dictionary view; 'package.id/key' reads a package's data", () => {
    const s = session();
    expect(sessionPath(s, 'counter')).toBe(3);
    expect(sessionPath(s, 'products.foo/color')).toBe('red');
  });

  it('missing values, a missing package or no session at all → the fallback (undefined without one)', () => {
    const s = session();
    expect(sessionPath(s, 'nothing', 'none')).toBe('none');
    expect(sessionPath(s, 'products.bar/color', 'none')).toBe('none');
    expect(sessionPath(undefined, 'counter', 0)).toBe(0);
    expect(sessionPath(undefined, 'counter')).toBeUndefined();
  });

  it('reading a package that has no data does not create it', () => {
    const s = session();
    sessionPath(s, 'products.bar/color');
    expect(s.namespaces()).toEqual(['products.foo']);
  });

  it("a value of another type than the fallback's → the fallback, typed as the fallback", () => {
    const s = session();
    const color = sessionPath(s, 'counter', '');
    expectType<Equal<typeof color, string>>();
    expect(color).toBe('');
    const n = sessionPath(s, 'counter', 0);
    expectType<Equal<typeof n, number>>();
    expect(n).toBe(3);
    const raw = sessionPath(s, 'counter');
    expectType<Equal<typeof raw, unknown>>();
    expect(raw).toBe(3);
    // @ts-expect-error an object fallback could not be checked by typeof
    sessionPath(s, 'counter', [] as string[]);
  });

  it.each(['', '/color', 'products.foo/', 'a/b/c', 'products..foo/color'])('path %j → InvalidOptionError naming both forms', (path) => {
    expect(() => sessionPath(session(), path)).toThrow(InvalidOptionError);
    expect(() => sessionPath(session(), path)).toThrow(/'package\.id\/key'/);
  });
});
