/**
 * What a registration is made of, before and after `Registry` stores it: the public option
 * types, the checks that turn arguments (names, required specs, provided interfaces) into specs,
 * and the entries kept in the registry's `AdapterRegistry`.
 *
 * Internal to the package except for the option types the package exports.
 */
import { Declaration, implementedBy, Interface, isInterface } from '@dovetail/interfaces';
import { InvalidNameError, InvalidRegistrationError } from './errors.js';
import { HandlerRegistration } from './events.js';
import type { AdapterRegistration, Registration, SubscriptionRegistration } from './events.js';
import type { Invoker, Invoker1 } from './factory.js';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';

/** What a registration may require: an interface, a class (its instances), a declaration, or null (anything). */
export type RequiredSpec = InterfaceSpec<unknown> | Declaration | (abstract new (...args: never[]) => unknown) | ((...args: never[]) => unknown) | null;

/** Options of `Registry.registerAdapter`. */
export interface AdapterOptions {
  /** The adapter's name; lookups match names exactly. @default '' */
  readonly name?: string;
  /** Replace an adapter already registered for the same keys instead of throwing. @default false */
  readonly replace?: boolean;
}

/** The provided side of an adapter registration: one interface, or several (registered for each). */
export type ProvidedSpec = InterfaceSpec<unknown> | readonly InterfaceSpec<unknown>[];

/**
 * Options of `registerAdapter(factory, options)`, the form that takes what the call leaves out
 * from the factory's declarations (`@adapter(...)`, `@implementer(...)`, `@named(...)`).
 */
export interface InferredAdapterOptions extends AdapterOptions {
  /** What the factory adapts, when it has no `@adapter(...)`. */
  readonly required?: RequiredSpec | readonly RequiredSpec[];
  /** What it provides, when it does not implement exactly one interface. */
  readonly provided?: ProvidedSpec;
}

/** The stored form of an adapter: its record plus how to call it. */
export interface AdapterEntry {
  readonly record: AdapterRegistration;
  readonly call: Invoker;
  readonly call1: Invoker1;
}
export interface SubscriberEntry {
  readonly record: SubscriptionRegistration | HandlerRegistration;
  readonly call: Invoker;
}

// Only a missing name means ''; null and other non-strings are errors, as in queryAdapter().
export function checkName(where: string, name: unknown = ''): string {
  if (typeof name !== 'string') throw new InvalidNameError(where, name);
  return name;
}

// Only null means "anything" (zope's None); undefined is a spec left out by mistake.
export function toSpec(where: string, spec: unknown): Spec {
  if (spec === null) return Interface;
  if (isInterface(spec) || spec instanceof Declaration) return spec;
  if (typeof spec === 'function') return implementedBy(spec);
  throw new InvalidRegistrationError(where, 'each required spec', spec, 'an interface, a class, a declaration or null');
}

export function toSpecs(where: string, required: RequiredSpec | readonly RequiredSpec[]): Spec[] {
  return Array.isArray(required) ? required.map((r) => toSpec(where, r)) : [toSpec(where, required)];
}

export function toProvided(where: string, provided: unknown): InterfaceSpec<unknown> {
  if (!isInterface(provided)) throw new InvalidRegistrationError(where, 'the provided interface', provided, 'an interface made by defineInterface()');
  return provided;
}

export const label = (s: Spec): string => (isInterface(s) ? s.name : s.label);

function specsEqual(a: readonly Spec[], b: readonly Spec[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** The `kind` records among stored entries (`allRegistrations()`/`allSubscriptions()` rows, entry last). */
export function recordsOf<R extends Registration>(rows: Iterable<readonly unknown[]>, kind: abstract new (...args: never[]) => R): R[] {
  const out: R[] = [];
  for (const row of rows) {
    const record = (row[row.length - 1] as AdapterEntry | SubscriberEntry).record;
    if (record instanceof kind) out.push(record);
  }
  return out;
}

/** The subscribers `registry` itself registered under exactly `specs` and `provided` (only `callable`'s, when given). */
export function exactSubscribers(
  entries: readonly SubscriberEntry[],
  registry: Registration['registry'],
  specs: readonly Spec[],
  provided: InterfaceSpec<unknown> | null,
  callable: unknown,
): SubscriberEntry[] {
  return entries.filter((entry) => {
    const fn = entry.record instanceof HandlerRegistration ? entry.record.handler : entry.record.factory;
    // subscriptions() also returns subscribers for extensions of `provided`: keep exact keys only.
    return (
      entry.record.registry === registry &&
      entry.record.provided === provided &&
      specsEqual(entry.record.required, specs) &&
      (callable === undefined || fn === callable)
    );
  });
}
