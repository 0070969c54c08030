/**
 * The types of `req.session` and `req.sessionID` under `dovetailSessions`: checked by `tsc` over
 * the test files (a wrong type fails `npm test`), the rest of the behaviour over HTTP in
 * test/express-parity.test.ts.
 */
import { describe, expect, it } from '@jest/globals';
import type { ExpressSession } from './express-session.js';
import type { Session } from '@dovetail/session';
import type { Request } from 'express';
import './express.js';

declare module './express-session.js' {
  interface ExpressSessionData {
    typeTestVisits: number;
  }
}

type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): T | void {}

/** Only compiled, never called: the assertions are the types. */
function typed(req: Request): void {
  expectType<Equal<typeof req.session, ExpressSession>>();
  expectType<Equal<typeof req.sessionID, string>>();
  expectType<Equal<typeof req.session.id, string>>();
  // The app's merged properties, optional as in express-session.
  expectType<Equal<typeof req.session.typeTestVisits, number | undefined>>();
  req.session.typeTestVisits = 1;
  // Still a Session where one is expected.
  const session: Session = req.session;
  void session;
  // Callback forms return nothing, promise forms a promise.
  const saved: void = req.session.save(() => undefined);
  const saving: Promise<void> = req.session.save();
  const keeping: void = req.session.regenerate(() => undefined);
  const emptying: Promise<void> = req.session.regenerate({ keep: false });
  const plain: void = req.session.regenerate();
  void [saved, saving, keeping, emptying, plain];
  // @ts-expect-error -- express-session's cookie object has no counterpart: cookieMaxAge, in seconds
  void req.session.cookie;
  // @ts-expect-error -- a property not declared in ExpressSessionData
  req.session.undeclared = 1;
  // @ts-expect-error -- size is a read-only member of Session
  req.session.size = 3;
  // @ts-expect-error -- the id is read-only
  req.session.id = 'x';
  // @ts-expect-error -- req.session is not replaced
  req.session = null;
}

describe('req.session types', () => {
  it('compile as asserted (tsc checks this file)', () => {
    expect(typeof typed).toBe('function');
  });
});
