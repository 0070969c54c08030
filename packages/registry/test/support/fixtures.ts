/** Shared fixtures for the registry's tests (AdapterRegistry and Registry alike). */
import { alsoProvides, defineInterface } from '@dovetail/interfaces';
import { IRegistrationEvent } from '../../src/events.js';
import type { Registry } from '../../src/components.js';
import type { RegistrationEvent } from '../../src/events.js';
import type { InterfaceSpec } from '@dovetail/interfaces';

/**
 * Interface factories naming under `prefix`: interface names are global, so each test file
 * passes a prefix of its own.
 */
export function fixtures(prefix: string) {
  let counter = 0;
  /** A fresh interface extending `bases`. */
  const iface = <T = unknown>(short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<T> =>
    defineInterface<T>(`${prefix}${++counter}.${short}`, { extends: bases });

  /** IA, IB(IA), IC, IQ, IQ2(IQ), IP, IP1(IP), IP2(IP), IX. */
  function hierarchy() {
    const IA = iface('IA');
    const IB = iface('IB', IA);
    const IC = iface('IC');
    const IQ = iface('IQ');
    const IQ2 = iface('IQ2', IQ);
    const IP = iface('IP');
    const IP1 = iface('IP1', IP);
    const IP2 = iface('IP2', IP);
    const IX = iface('IX');
    return { IA, IB, IC, IQ, IQ2, IP, IP1, IP2, IX };
  }

  return { iface, hierarchy };
}

/** An object providing the given interfaces directly. */
export function providing(...ifaces: InterfaceSpec<unknown>[]): object {
  const o = {};
  if (ifaces.length) alsoProvides(o, ...ifaces);
  return o;
}

/** Everything the registry notifies: registers a catch-all handler first. */
export function recordEvents(registry: Registry): RegistrationEvent[] {
  const seen: RegistrationEvent[] = [];
  registry.registerHandler((e: RegistrationEvent) => void seen.push(e), [IRegistrationEvent]);
  seen.length = 0;
  return seen;
}

/** What `fn` throws; fails the test when it returns. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** A factory whose adapters say which factory made them, and from what. */
export const tag = (label: string) => (obj: unknown) => ({ label, obj });
