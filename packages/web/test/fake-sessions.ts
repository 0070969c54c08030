/**
 * A session manager with the exact API of `@dovetail/session`'s `Sessions`, kept in memory and
 * recording every call, to test the web layer's session wiring on its own.
 */
import { randomBytes } from 'node:crypto';

export class FakeSession {
  expired = false;
  constructor(
    public uid: string,
    readonly isNew: boolean,
    readonly secure: boolean,
    public data: Record<string, unknown>,
  ) {}
  expire(): void {
    this.expired = true;
  }
  regenerate(): void {
    this.uid = randomBytes(8).toString('hex');
  }
}

export class FakeBusyError extends Error {
  override readonly name = 'SessionBusyError';
  readonly code = 'DT_SESSION_BUSY';
  readonly status = 503;
  readonly retryAfter = 2;
}

export class FakeSessions {
  readonly cookie = { path: '/', sameSite: 'lax' as const, httpOnly: true, secure: false };
  readonly stored = new Map<string, { data: Record<string, unknown>; secure: boolean }>();
  readonly log: string[] = [];
  failLoad: Error | null = null;
  failCommit: Error | null = null;
  commitDelayMs = 0;

  cookieName(secure: boolean): string {
    return secure ? 'DOVETAIL_SECURE_SESSION' : 'DOVETAIL_SESSION';
  }

  async load(cookieValue: string, opts: { secure: boolean }): Promise<FakeSession | undefined> {
    this.log.push(`load ${cookieValue}`);
    if (this.failLoad) throw this.failLoad;
    if (!cookieValue.startsWith('s.')) return undefined;
    const uid = cookieValue.slice(2);
    const entry = this.stored.get(uid);
    if (entry === undefined || entry.secure !== opts.secure) return undefined;
    return new FakeSession(uid, false, opts.secure, structuredClone(entry.data));
  }

  create(opts: { secure: boolean }): FakeSession {
    const session = new FakeSession(randomBytes(8).toString('hex'), true, opts.secure, {});
    this.log.push(`create ${session.uid}`);
    return session;
  }

  async commit(session: FakeSession): Promise<void> {
    if (this.commitDelayMs) await new Promise((r) => setTimeout(r, this.commitDelayMs));
    this.log.push(`commit ${session.uid}`);
    if (this.failCommit) throw this.failCommit;
    if (session.expired) this.stored.delete(session.uid);
    else this.stored.set(session.uid, { data: structuredClone(session.data), secure: session.secure });
  }

  async abort(session: FakeSession): Promise<void> {
    this.log.push(`abort ${session.uid}`);
  }

  cookieValue(session: FakeSession): string {
    return `s.${session.uid}`;
  }
}
