/** Shared fixtures for the AdapterRegistry tests (src/adapter-registry*.test.ts). */
import { defineInterface } from '@dovetail/interfaces';
import type { InterfaceSpec } from '@dovetail/interfaces';

/**
 * Fixtures whose interfaces are named under `prefix`: interface names are global, so each
 * test file passes a prefix of its own.
 */
export function adapterRegistryFixtures(prefix: string) {
  let counter = 0;
  /** A fresh interface: names are global, so each one gets a unique prefix. */
  const iface = (short: string, ...bases: InterfaceSpec<unknown>[]): InterfaceSpec<unknown> =>
    defineInterface(`${prefix}${++counter}.${short}`, { extends: bases });

  /** IA, IB(IA), IQ, IQ2(IQ), IP, IP1(IP), IP2(IP), IX. */
  function hierarchy() {
    const IA = iface('IA');
    const IB = iface('IB', IA);
    const IQ = iface('IQ');
    const IQ2 = iface('IQ2', IQ);
    const IP = iface('IP');
    const IP1 = iface('IP1', IP);
    const IP2 = iface('IP2', IP);
    const IX = iface('IX');
    return { IA, IB, IQ, IQ2, IP, IP1, IP2, IX };
  }

  return { iface, hierarchy };
}
