/**
 * Session data for templates: one path string names a value, as Zope's TALES
 * `request/session:products.foo/color` and Pyramid's `request.session['counter']` do, so that
 * any template engine (a tagged template literal, Handlebars, EJS…) can read a session without
 * knowing the session API.
 *
 * @module
 */
import { InvalidOptionError } from './errors.js';
import type { SessionContract } from '@dovetail/session';

/** The part of a session a path reads: the dictionary view and package data, nothing that changes it. */
export type SessionPathSource = Pick<SessionContract, 'get' | 'has' | 'namespace' | 'namespaces'>;

/** A fallback's type, widened from its literal (`''` → `string`): what the value is checked against. */
type Widen<F> = F extends string ? string : F extends number ? number : boolean;

// A package id is dotted (`products.foo`); a key is anything but '/'.
const PATH = /^(?:([A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*)*)\/)?([^/]+)$/;

function parse(path: string): readonly [pkg: string | undefined, key: string] {
  const match = typeof path === 'string' ? PATH.exec(path) : null;
  if (match === null) {
    throw new InvalidOptionError('sessionPath path', path, "'key' (the dictionary view) or 'package.id/key' (a package's data)");
  }
  return [match[1], match[2]!];
}

/**
 * Reads one value of a session by path, never changing the session (a package that has no data
 * is not created):
 * - `'counter'`: the dictionary view, `session.get('counter')` (Pyramid's `request.session['counter']`);
 * - `'products.foo/color'`: package data, `session.namespace('products.foo').get('color')`
 *   (Zope's `request/session:products.foo/color`).
 *
 * With a `fallback` (a string, number or boolean), the value is returned only when it has the fallback's type (`typeof`, so a
 * string fallback always gives a string); otherwise, or when there is no session (not loaded,
 * `request.session` is `undefined`) or no such value, the fallback is.
 *
 * @throws InvalidOptionError (`DT_WEB_INVALID_OPTION`) for a path of neither form.
 * @example
 * ```ts
 * const color = sessionPath(request.session, 'products.foo/color', ''); // string
 * const raw = sessionPath(request.session, 'counter'); // unknown
 * ```
 */
export function sessionPath(session: SessionPathSource | undefined, path: string): unknown;
/** Reads one value by path, or `fallback` when it is missing or not of the fallback's type. */
export function sessionPath<F extends string | number | boolean>(session: SessionPathSource | undefined, path: string, fallback: F): Widen<F>;
export function sessionPath(session: SessionPathSource | undefined, path: string, ...rest: [unknown?]): unknown {
  const [pkg, key] = parse(path);
  const hasFallback = rest.length > 0;
  const fallback = rest[0];
  if (session === undefined) return fallback;
  let value: unknown;
  if (pkg === undefined) value = session.has(key) ? session.get(key) : undefined;
  else value = session.namespaces().includes(pkg) ? session.namespace(pkg).get(key) : undefined;
  if (value === undefined) return fallback;
  if (hasFallback && typeof value !== typeof fallback) return fallback;
  return value;
}
