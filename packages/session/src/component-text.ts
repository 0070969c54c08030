/**
 * The components' text written straight from the components, for the common case: instances of
 * a known class whose fields are JSON scalars or the session itself (a counter, a flag, a name).
 * The text is the one `encodeRecordParts` writes for them, byte for byte. Anything else — plain
 * data, a `toState` hook, a nested value, a number JSON cannot carry, a key the codec would escape,
 * a class that cannot be found again — gives `undefined`, and the commit goes the long way
 * (the record and the codec), which also names what it refuses.
 *
 * Why: the long way builds the stored record (a copy of each component's fields, its wrapper,
 * the names' arrays) only to turn it into text. A commit that changed a counter then allocated
 * about 1.7 KB; garbage is what a request among a million live sessions pays most for, since each
 * scavenge of a large heap costs more. Internal: never re-exported from index.ts.
 */
import { tagLike } from './codec.js';
import { classFor, quoted, temporary } from './session-record.js';
import type { StoredComponent } from './session-record.js';
import type { Session } from './session.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { Registry } from '@dovetail/registry';

/** Where the components' stored forms go, by interface name (a payload's twin is made of them). */
type Copies = Record<string, StoredComponent>;

/** The JSON text of a scalar as the codec writes it, or undefined for anything the codec tags or refuses. */
function scalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // The codec tags -0, NaN and ±Infinity.
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0) ? String(value) : undefined;
    default:
      return value === null ? 'null' : undefined;
  }
}

/**
 * One component's stored text (`{"c":…,"s":{…},"r":[…]}`), or undefined for the long way; with
 * `copies`, its stored form goes there too, under `name`, as decoding the text gives it.
 */
function componentText(session: Session, iface: InterfaceSpec<unknown>, component: unknown, registry: Registry, copies: Copies | null): string | undefined {
  if (component === null || typeof component !== 'object') return undefined;
  const cls = (Object.getPrototypeOf(component) as { constructor?: unknown } | null)?.constructor;
  if (typeof cls !== 'function' || cls === Object || typeof (component as { toState?: unknown }).toState === 'function') return undefined;
  // A function's name is read through a getter: once is enough.
  const className = cls.name;
  if (!className || classFor(session, iface, className, registry) !== cls) return undefined;
  const fields = component as Record<string, unknown>;
  const copy: Record<string, unknown> | null = copies === null ? null : {};
  let names: string[] | undefined;
  let state = '';
  let refs = '';
  let count = 0;
  let only = '';
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value === session) {
      refs += refs === '' ? quoted(key) : `,${quoted(key)}`;
      if (copy !== null) (names ??= []).push(key);
      continue;
    }
    const text = scalarText(value);
    if (text === undefined || key === '__proto__') return undefined;
    state += `${count === 0 ? '' : ','}${quoted(key)}:${text}`;
    if (copy !== null) copy[key] = value;
    if (count++ === 0) only = key;
  }
  // The codec escapes an object whose one key looks like one of its tags.
  if (count === 1 && tagLike(only)) return undefined;
  if (copies !== null) copies[iface.name] = names === undefined ? { c: className, s: copy } : { c: className, s: copy, r: names };
  return refs === '' ? `{"c":${quoted(className)},"s":{${state}}}` : `{"c":${quoted(className)},"s":{${state}},"r":[${refs}]}`;
}

/**
 * The text of `components` (a session's table, seen through `session`) as a payload stores it,
 * or undefined when one of them needs the long way. With `copies` (a payload's twin is wanted),
 * it also gets the components as decoding the text gives them, copies no request holds.
 */
export function componentsTextOf(session: Session, components: ReadonlyMap<InterfaceSpec<unknown>, unknown>, registry: Registry, copies: Copies | null = null): string | undefined {
  let text = '';
  let count = 0;
  let first = '';
  for (const [iface, component] of components) {
    if (temporary(component)) continue;
    const one = componentText(session, iface, component, registry, copies);
    if (one === undefined) return undefined;
    text += `${count === 0 ? '' : ','}${quoted(iface.name)}:${one}`;
    if (count++ === 0) first = iface.name;
  }
  if (count === 1 && tagLike(first)) return undefined;
  return `{${text}}`;
}
