/**
 * `req.session` for the Express middleware: one Proxy per request over whichever session the
 * request has now (the one its cookie named, a new one, the new one after `destroy()`), giving
 * the `Session` API unchanged, express-session's members (`id`, `save`, `reload`, `regenerate`,
 * `destroy`) and properties that are dictionary keys (`req.session.views = 1` is
 * `set('views', 1)`), so that express-session code never changes a session silently unsaved.
 * Internal: never re-exported.
 */
import { inspect } from 'node:util';
import { SessionPropertyError } from '../errors.js';
import { withHttpFields } from './http-error-fields.js';
import type { SessionCallback } from '../express-session.js';
import type { Session, Sessions } from '@dovetail/session';

/** What the proxy needs of the middleware. */
export interface SessionSource {
  /** The request's session now, created on first use. @throws SessionClosedError once the request's sessions were committed and it had none. */
  current(): Session;
  /** Called when a `save()` or `reload()` failed (the response then drops the session's changes if it is an error). */
  failed(): void;
}

type Method = (...args: unknown[]) => unknown;

/** Calls `callback` (later, as express-session does) and returns nothing, or returns the promise. */
function settle(work: Promise<void>, callback: SessionCallback | undefined): Promise<void> | undefined {
  if (callback === undefined) return work;
  work.then(
    () => callback(),
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  );
  return undefined;
}

/**
 * express-session's members that a `Session` lacks (or has with another signature), by name.
 * Each takes the session the request has when it is called.
 */
function expressMembers(sessions: Sessions, source: SessionSource): Record<string, (session: Session) => unknown> {
  // The work starts now (a destroy() not awaited still happens before the response); a failure
  // carries status/statusCode/headers for the app's error handler.
  const guarded = (work: () => Promise<void> | void): Promise<void> => {
    const fail = (error: unknown): never => {
      source.failed();
      throw withHttpFields(error);
    };
    try {
      return Promise.resolve(work()).catch(fail);
    } catch (error) {
      return Promise.reject(error).catch(fail);
    }
  };
  return {
    id: (s) => s.uid,
    save: (s) => (callback?: SessionCallback) => settle(guarded(() => sessions.save(s)), callback),
    reload: (s) => (callback?: SessionCallback) => settle(guarded(() => sessions.reload(s)), callback),
    destroy: (s) => (callback?: SessionCallback) => settle(guarded(() => s.expire()), callback),
    regenerate:
      (s) =>
      (first?: SessionCallback | { readonly keep: boolean }, second?: SessionCallback): Promise<void> | undefined => {
        if (first === undefined) return void s.regenerate();
        const keep = typeof first === 'function' || first.keep;
        return settle(
          guarded(() => (keep ? s.regenerate() : s.expire())),
          typeof first === 'function' ? first : second,
        );
      },
  };
}

/** True when `key` names a member of the session (its own API, not a dictionary key). */
function isMember(session: Session, key: string | symbol): boolean {
  return key in session;
}

/** The accessor or data property `key` of `session`'s class chain, if any. */
function findDescriptor(session: Session, key: string): PropertyDescriptor | undefined {
  for (let o: object | null = session; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** The names {@link expressMembers} answers, known without building them (most requests use none). */
const EXPRESS_NAMES: ReadonlySet<string> = new Set(['id', 'save', 'reload', 'destroy', 'regenerate']);

/** `req.session` of one request: see the module comment. */
export function sessionProxy(sessions: Sessions, source: SessionSource): Session {
  let members: ReturnType<typeof expressMembers> | null = null;
  const expressMember = (key: string, session: Session): unknown => (members ??= expressMembers(sessions, source))[key]!(session);
  // Methods are bound to the session they were read from (a Session keeps its state in #private
  // fields, which a call through the proxy could not reach); kept while the session is the same.
  let boundFor: Session | null = null;
  let bound: Map<string | symbol, unknown> | null = null;
  const member = (session: Session, key: string | symbol): unknown => {
    if (boundFor !== session || bound === null) {
      boundFor = session;
      bound = new Map();
    }
    let value = bound.get(key);
    if (value === undefined) {
      value = Reflect.get(session, key, session);
      if (typeof value !== 'function') return value;
      value = (value as Method).bind(session);
      bound.set(key, value);
    }
    return value;
  };

  const target = {
    [inspect.custom](_depth: number, options: object): string {
      try {
        const s = source.current();
        return `${s.toString()} ${inspect(Object.fromEntries(s.entries()), options)}`;
      } catch {
        return '<Session (none: the response was sent)>';
      }
    },
  };

  return new Proxy(target, {
    get(_target, key) {
      if (key === inspect.custom) return target[inspect.custom];
      const session = source.current();
      if (typeof key === 'string') {
        if (EXPRESS_NAMES.has(key)) return expressMember(key, session);
        if (key === 'cookie') throw new SessionPropertyError('read', key, "express-session's cookie object has no counterpart here");
        if (!isMember(session, key)) return session.get(key);
      }
      return member(session, key);
    },
    set(_target, key, value) {
      const session = source.current();
      if (typeof key === 'symbol') throw new SessionPropertyError('assign', String(key), 'a symbol cannot be a session key');
      if (EXPRESS_NAMES.has(key) || key === 'cookie') throw new SessionPropertyError('assign', key, key === 'cookie' ? "express-session's cookie object has no counterpart here" : 'it is a read-only member');
      if (!isMember(session, key)) {
        session.set(key, value);
        return true;
      }
      const descriptor = findDescriptor(session, key);
      if (descriptor?.set === undefined) throw new SessionPropertyError('assign', key, `it is a ${typeof descriptor?.value === 'function' ? 'method' : 'read-only property'} of Session`);
      descriptor.set.call(session, value);
      return true;
    },
    deleteProperty(_target, key) {
      const session = source.current();
      if (typeof key === 'symbol' || EXPRESS_NAMES.has(key) || isMember(session, key)) throw new SessionPropertyError('delete', String(key), 'it is a member of Session, not a session key');
      session.delete(key);
      return true;
    },
    has(_target, key) {
      const session = source.current();
      return isMember(session, key) || (typeof key === 'string' && (EXPRESS_NAMES.has(key) || session.has(key)));
    },
    ownKeys() {
      return [...source.current().keys()];
    },
    getOwnPropertyDescriptor(_target, key) {
      const session = source.current();
      if (typeof key !== 'string' || !session.has(key)) return undefined;
      return { value: session.get(key), writable: true, enumerable: true, configurable: true };
    },
    defineProperty(_target, key) {
      throw new SessionPropertyError('define', String(key), 'assign it (req.session.name = value) or use set()');
    },
    getPrototypeOf() {
      return Object.getPrototypeOf(source.current()) as object;
    },
  }) as unknown as Session;
}
