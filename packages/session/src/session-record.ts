/**
 * How a session is persisted: the record types the codec carries; the classes components come
 * back as (`registerSessionClass`, registered adapters) and storing and restoring one component,
 * for `SessionState.toRecord`/`applyRecord`; encoding a whole record, for `Sessions`.
 */
import { implementedBy } from '@dovetail/interfaces';
import { describe } from '@dovetail/interfaces/internal';
import { isClass } from '@dovetail/registry/internal';
import { encode, looksLikeTag } from './codec.js';
import { SessionDataError } from './errors.js';
import type { Session } from './session.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { Registry } from '@dovetail/registry';

/** What a session looks like once encoded: the record the codec turns into a store payload. */
export interface SessionRecord {
  /** When the session was made (ms since the epoch). */
  created: number;
  /** When it was last accessed, as written (at most once per `resolution` when unchanged). */
  lastAccessed: number;
  /** Seconds of inactivity after which it ends. */
  timeout: number;
  /** Made over HTTPS: never handed to a plain-HTTP request. */
  secure: boolean;
  /** The dictionary view (`get`/`set`). */
  data: Record<string, unknown>;
  /** Package data, by package id (`session.namespace(id)`). */
  namespaces: Record<string, Record<string, unknown>>;
  /** Kept components, by interface name. */
  components: Record<string, StoredComponent>;
  /** The session's own cookie `Max-Age` in seconds (`null`: a browser-session cookie); absent: the manager's. */
  cookieMaxAge?: number | null;
}

/** A record as a payload stores it: the last access lives in the entry's expiry, not in the payload. */
export type StoredRecord = Omit<SessionRecord, 'lastAccessed'>;

/**
 * The longest session timeout accepted, in seconds: 400 days, the longest lifetime browsers give
 * a cookie. Bounds the `timeout` option and every stored record (a stored `1e20` would never end).
 */
export const MAX_TIMEOUT = 400 * 24 * 3600;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v: unknown): string => {
  try {
    return JSON.stringify(v)?.slice(0, 40) ?? String(v);
  } catch {
    return typeof v;
  }
};

/**
 * What is wrong with a decoded record and the entry it came in (naming the field), or
 * `undefined` when every field is sound. A record that fails is treated like an unknown id.
 */
export function recordProblem(record: unknown, entry: { readonly version: unknown; readonly expires: unknown }): string | undefined {
  if (!isObject(record)) return `the record is ${show(record)}, not an object`;
  const bad = (field: string, value: unknown, want: string): string => `field '${field}' is ${show(value)}, not ${want}`;
  const { created, timeout, secure, data, namespaces, components, cookieMaxAge } = record;
  if (!(typeof entry.version === 'number' && Number.isSafeInteger(entry.version) && entry.version >= 1)) return bad('version', entry.version, 'an integer >= 1');
  if (!(typeof entry.expires === 'number' && Number.isFinite(entry.expires))) return bad('expires', entry.expires, 'a time');
  if (!(typeof created === 'number' && Number.isFinite(created) && created >= 0)) return bad('created', created, 'a time');
  if (!(typeof timeout === 'number' && timeout >= 0 && timeout <= MAX_TIMEOUT)) return bad('timeout', timeout, `a number of seconds from 0 to ${MAX_TIMEOUT}`);
  if (typeof secure !== 'boolean') return bad('secure', secure, 'true or false');
  if (cookieMaxAge !== undefined && cookieMaxAge !== null && !(typeof cookieMaxAge === 'number' && Number.isInteger(cookieMaxAge) && cookieMaxAge >= 1 && cookieMaxAge <= MAX_TIMEOUT)) {
    return bad('cookieMaxAge', cookieMaxAge, `null or whole seconds from 1 to ${MAX_TIMEOUT}`);
  }
  if (!isObject(data)) return bad('data', data, 'an object');
  if (!isObject(namespaces)) return bad('namespaces', namespaces, 'an object');
  for (const [name, ns] of Object.entries(namespaces)) if (!isObject(ns)) return bad(`namespaces['${name}']`, ns, 'an object');
  if (!isObject(components)) return bad('components', components, 'an object');
  for (const [name, c] of Object.entries(components)) {
    const where = `components['${name}']`;
    if (!isObject(c) || !('s' in c)) return bad(where, c, 'a stored component');
    if (c['c'] !== undefined && typeof c['c'] !== 'string') return bad(`${where}.c`, c['c'], 'a class name');
    if (c['r'] !== undefined && !(Array.isArray(c['r']) && c['r'].every((k) => typeof k === 'string'))) return bad(`${where}.r`, c['r'], 'a list of property names');
  }
  return undefined;
}

/** A component as stored: its class name (absent for plain data), its state, and which properties pointed at the session. */
export interface StoredComponent {
  /** The class name it comes back as; absent for plain data. */
  c?: string;
  /** Its state. */
  s: unknown;
  /** The properties that pointed at the session (restored to point at the loaded one). */
  r?: string[];
}

/** A component class that rebuilds its instances from stored state itself. */
export interface RestorableClass {
  /** Builds the component from the state it stored (its `toState()`, else its own enumerable properties) and the loaded session. */
  fromState(state: unknown, session: Session): unknown;
}

const sessionClasses = new Map<string, abstract new (...args: never[]) => unknown>();

/**
 * Makes a class known by name, so that components of that class set with `setComponent`
 * come back as instances of it after a restart (registered adapter classes are known anyway).
 *
 * @example
 * ```ts
 * registerSessionClass(ShoppingCart);
 * ```
 */
export function registerSessionClass(cls: abstract new (...args: never[]) => unknown): void {
  sessionClasses.set(cls.name, cls);
}

function isPlain(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null || Array.isArray(value);
}

/** A value that can only be replaced, never changed in place (what the codec writes as a JSON scalar or a tag of one). */
const isScalar = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function' && typeof v !== 'symbol');

/** A plain object (what the codec writes as a JSON object), not an array, class instance, Map… */
const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v) && isPlain(v);

/** A copy of `v` when it is a plain object of scalars (nothing in it can change in place); undefined otherwise. */
export function copyOfScalars(v: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(v)) return undefined;
  for (const key of Object.keys(v)) if (!isScalar(v[key])) return undefined;
  return { ...v };
}

/**
 * A copy of `stored`, shaped as decoding its encoding gives it, when its state is a scalar or a
 * plain object of scalars; undefined otherwise (something nested can change in place). Cheaper
 * than an encoding for the common component, a few numbers and strings (a visitor's counter):
 * compared with a later one ({@link sameStored}), or kept in a payload's twin (record-twin.ts).
 */
export function snapshotOf(stored: StoredComponent): StoredComponent | undefined {
  let state = stored.s;
  if (!isScalar(state)) {
    state = copyOfScalars(state);
    if (state === undefined) return undefined;
  }
  const copy: StoredComponent = stored.c === undefined ? { s: state } : { c: stored.c, s: state };
  if (stored.r !== undefined) copy.r = [...stored.r];
  return copy;
}

/**
 * True when `now` is stored as `snapshot` (from {@link snapshotOf}) was: then, and only then, they
 * encode the same (the codec writes distinct scalars, and keys in their order, distinctly).
 */
export function sameStored(snapshot: StoredComponent, now: StoredComponent): boolean {
  if (snapshot.c !== now.c || !sameNames(snapshot.r, now.r)) return false;
  const was = snapshot.s;
  const is = now.s;
  if (isScalar(was)) return Object.is(was, is);
  if (!isPlainObject(is)) return false;
  const fields = was as Record<string, unknown>;
  const keys = Object.keys(fields);
  const nowKeys = Object.keys(is);
  if (keys.length !== nowKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (nowKeys[i] !== key || !Object.is(fields[key], is[key])) return false;
  }
  return true;
}

function sameNames(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/** True for a component that is not stored: a temporary adapter (Twisted's `temporaryAdapter`). */
export function temporary(component: unknown): boolean {
  if (component === null || typeof component !== 'object') return false;
  const c = component as { temporaryAdapter?: unknown; constructor?: { temporaryAdapter?: unknown } };
  return Boolean(c.temporaryAdapter || c.constructor?.temporaryAdapter);
}

/**
 * One component of `session` as stored.
 *
 * @throws SessionDataError (`DT_SESSION_DATA`) for a component whose class could not be found again.
 */
export function storeComponent(session: Session, iface: InterfaceSpec<unknown>, component: unknown, registry: Registry): StoredComponent {
  if (isPlain(component)) return { s: component };
  const cls = (Object.getPrototypeOf(component) as { constructor?: unknown } | null)?.constructor;
  if (typeof cls !== 'function' || !cls.name || classFor(session, iface, cls.name, registry) !== cls) {
    throw new SessionDataError(
      `components['${iface.name}']`,
      `${describe(component)} whose class cannot be found again when the session is loaded`,
      `Register its class as the adapter for ${iface.name} (registerAdapter), call registerSessionClass(${typeof cls === 'function' && cls.name ? cls.name : 'TheClass'}), or keep plain data in the component.`,
    );
  }
  const toState = (component as { toState?: () => unknown }).toState;
  if (typeof toState === 'function') return { c: cls.name, s: toState.call(component) };
  const state: Record<string, unknown> = {};
  let refs: string[] | undefined;
  for (const key of Object.keys(component as object)) {
    const value = (component as Record<string, unknown>)[key];
    // Adapters keep the session they adapt (Adapter#original): store a reference, not a copy.
    if (value === session) (refs ??= []).push(key);
    else state[key] = value;
  }
  return refs ? { c: cls.name, s: state, r: refs } : { c: cls.name, s: state };
}

/** The class stored as `name` for `session`'s component `iface`: its registered adapter class, else one made known by `registerSessionClass`. */
export function classFor(session: Session, iface: InterfaceSpec<unknown>, name: string, registry: Registry): unknown {
  const factory = registry.lookup([implementedBy(Object.getPrototypeOf(session).constructor as object)], iface);
  if (isClass(factory) && factory.name === name) return factory;
  return sessionClasses.get(name);
}

/**
 * One stored component of `session` rebuilt, or undefined when its class cannot be found.
 * `shared`: `stored` is a twin's (record-twin.ts), a scalar or a plain object of scalars that
 * later loads read too, so what would keep its state (plain data, `fromState`) gets a copy; an
 * instance of a class takes its fields by copy anyway.
 */
export function restoreComponent(session: Session, iface: InterfaceSpec<unknown>, stored: StoredComponent, registry: Registry, shared = false): unknown {
  if (stored.c === undefined) return shared ? ownCopy(stored.s) : stored.s;
  const cls = classFor(session, iface, stored.c, registry) as (abstract new (...args: never[]) => unknown) & Partial<RestorableClass> | undefined;
  if (!cls) return undefined;
  if (typeof cls.fromState === 'function') return cls.fromState(shared ? ownCopy(stored.s) : stored.s, session);
  // As unpickling does: the state is put back, the constructor is not run again.
  const instance = Object.create(cls.prototype as object) as Record<string, unknown>;
  Object.assign(instance, stored.s);
  if (stored.r !== undefined) for (const key of stored.r) instance[key] = session;
  return instance;
}

/** A twin's component state, a scalar or a plain object of scalars, as a value of the caller's own. */
const ownCopy = (state: unknown): unknown => (isScalar(state) ? state : { ...(state as Record<string, unknown>) });

/**
 * A payload from its parts, as one new flat string. A stored payload lives as long as its
 * session: concatenated, it would be a tree of pieces, and flattening that in place (what the
 * flatstr package does) still keeps it wrapped — about 180 bytes more per live session, measured
 * on a million MemoryStore sessions. `join` writes the parts into a single string.
 */
function joined(...parts: string[]): string {
  return parts.join('');
}

/** `components['myapp.IChat'].s.socket` → `components['myapp.IChat'].socket`: the `s` (state) wrapper is the codec's business, not the user's. */
const COMPONENT_STATE = /^(components\['(?:[^'\\]|\\.)*'\])\.s(?=$|[.[])/;

/** `encode(value, path)`, with a `SessionDataError` naming the path as the program sees it. */
function encodeAt(value: unknown, path: string): string {
  try {
    return encode(value, path);
  } catch (e) {
    const m = e instanceof SessionDataError ? COMPONENT_STATE.exec(e.path) : null;
    if (!m) throw e;
    const error = e as SessionDataError;
    throw new SessionDataError(m[1]! + error.path.slice(m[0].length), error.reason.split(m[0]).join(m[1]!), undefined, { cause: error });
  }
}

/** JSON text of the names a payload repeats: interface, class and field names, a set the program fixes (bounded all the same). */
const quotedNames = new Map<string, string>();

/** `name` as JSON text (remembered: the names a payload repeats are few). */
export function quoted(name: string): string {
  let text = quotedNames.get(name);
  if (text === undefined) {
    text = JSON.stringify(name);
    if (quotedNames.size < 10_000) quotedNames.set(name, text);
  }
  return text;
}

/**
 * The components' text, as the codec writes it: the manager's own wrappers (names, class, which
 * fields referred to the session) written directly, and only each component's state walked by
 * the codec. Through the codec whole, the wrappers took about half of a counter's 0.44 µs.
 * Anything unusual, and any refusal, goes through the codec whole, which names the path.
 */
function componentsText(components: Record<string, StoredComponent>): string {
  const names = Object.keys(components);
  // The codec escapes an object whose one key looks like a tag, and refuses a changed prototype.
  if (Object.getPrototypeOf(components) !== Object.prototype || looksLikeTag(names)) {
    return encodeAt(components, 'components');
  }
  let text = '{';
  try {
    for (let i = 0; i < names.length; i++) {
      const { c, s, r } = components[names[i]!]!;
      if (i > 0) text += ',';
      text += c === undefined ? `${quoted(names[i]!)}:{"s":` : `${quoted(names[i]!)}:{"c":${quoted(c)},"s":`;
      text += r === undefined ? `${encode(s)}}` : `${encode(s)},"r":${encode(r)}}`;
    }
  } catch {
    return encodeAt(components, 'components');
  }
  return text + '}';
}

/** A record encoded, and how long the part before its components is (what `withComponents` keeps). */
export interface EncodedRecord {
  readonly payload: string;
  readonly headLength: number;
}

const COMPONENTS_KEY = ',"components":';

/** The end of a payload after its components: the cookie lifetime when set, and the closing brace. */
const tailOf = (record: Pick<SessionRecord, 'cookieMaxAge'>): string => (record.cookieMaxAge === undefined ? '}' : `,"cookieMaxAge":${encode(record.cookieMaxAge)}}`);

/** A number as the codec writes it: as is when JSON carries it exactly (not -0, NaN or ±Infinity). */
const numberText = (n: number): string => (Number.isFinite(n) && !Object.is(n, -0) ? String(n) : encode(n));

/** `o` through the codec, or `{}` with no walk when it has no keys (most sessions' data or namespaces). */
function objectText(o: object, path: string): string {
  for (const _ in o) return encodeAt(o, path);
  return '{}';
}

/**
 * Encodes a session record in two parts — everything before the components, then the components
 * — so that a commit that changed only components can re-encode only them
 * ({@link withComponents}). The text is `encode(record)`'s for a record as a commit has it
 * (`SessionState#toRecord` without the last access, which a payload never stores: a load takes
 * it from the entry's expiry).
 *
 * The fields the manager sets itself (numbers, a boolean) are written directly: walked and
 * stringified by the codec, the head took 2.1 µs of a new session's 4.9-µs encode (written
 * directly: 0.3 µs). The codec walks only what a program put in: data, namespaces, components.
 */
export function encodeRecordParts(record: SessionRecord): EncodedRecord {
  const head =
    `{"created":${numberText(record.created)},"timeout":${numberText(record.timeout)},"secure":${record.secure},` +
    `"data":${objectText(record.data, 'data')},"namespaces":${objectText(record.namespaces, 'namespaces')}` +
    COMPONENTS_KEY;
  return { payload: joined(head, componentsText(record.components), tailOf(record)), headLength: head.length };
}

/** Encodes a session record; a `SessionDataError` names the path as the program sees it. */
export function encodeRecord(record: SessionRecord): string {
  return encodeRecordParts(record).payload;
}

/**
 * `payload` (made by {@link encodeRecordParts}, with the head `headLength` long) with new
 * `components`: the rest of the session is as it was, and only the components are encoded.
 */
export function withComponents(payload: string, headLength: number, components: SessionRecord['components'], cookieMaxAge: SessionRecord['cookieMaxAge']): string {
  return withComponentsText(payload, headLength, componentsText(components), cookieMaxAge);
}

/** {@link withComponents} with the components' text already written. */
export function withComponentsText(payload: string, headLength: number, text: string, cookieMaxAge: SessionRecord['cookieMaxAge']): string {
  return joined(payload.slice(0, headLength), text, tailOf({ cookieMaxAge }));
}
