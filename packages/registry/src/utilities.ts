/**
 * The bookkeeping behind `Registry`'s utilities: which registration holds each (interface, name),
 * its binding in the inversify container (keyed by `I.id`), and the utility `AdapterRegistry`
 * entries (the registration, plus one subscription per distinct component).
 *
 * Internal to the package: `Registry` validates arguments and notifies events; this does the rest.
 */
import type { AdapterRegistry } from './adapter-registry.js';
import type { UtilityRegistration } from './events.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { Container } from 'inversify';

type BindingId = ReturnType<ReturnType<ReturnType<Container['bind']>['toConstantValue']>['getIdentifier']>;

/** The utility registrations of one registry, kept in step with its container and utility `AdapterRegistry`. */
export class UtilityTable {
  readonly #container: Container;
  readonly #utilities: AdapterRegistry<unknown>;
  readonly #records = new Map<InterfaceSpec<unknown>, Map<string, { record: UtilityRegistration; binding: BindingId | undefined }>>();

  constructor(container: Container, utilities: AdapterRegistry<unknown>) {
    this.#container = container;
    this.#utilities = utilities;
  }

  /** The registration made here for `provided` under `name`, if any. */
  registered(provided: InterfaceSpec<unknown>, name: string): UtilityRegistration | undefined {
    return this.#records.get(provided)?.get(name)?.record;
  }

  /** Binds `record`'s component in the container and registers it (its key must be free). */
  add(record: UtilityRegistration): void {
    const { provided, name, component } = record;
    const binding = this.#container.bind(provided.id as symbol).toConstantValue(component);
    const bound = name ? binding.whenNamed(name) : binding.whenDefault();
    let byName = this.#records.get(provided);
    if (byName === undefined) this.#records.set(provided, (byName = new Map()));
    byName.set(name, { record, binding: bound.getIdentifier() });
    this.#utilities.register([], provided, name, component);
    if (!this.#subscribedHere(provided, component)) this.#utilities.subscribe([], provided, component);
  }

  #subscribedHere(target: InterfaceSpec<unknown>, component: unknown): boolean {
    for (const [, provided, value] of this.#utilities.allSubscriptions()) if (provided === target && value === component) return true;
    return false;
  }

  /** Unbinds and unregisters `record` (registered here); its component stays subscribed while another name still holds it. */
  remove(record: UtilityRegistration): void {
    const { provided, name, component } = record;
    const byName = this.#records.get(provided)!;
    const found = byName.get(name)!;
    byName.delete(name);
    if (found.binding !== undefined) this.#container.unbind(found.binding);
    this.#utilities.unregister([], provided, name);
    const stillUsed = [...byName.values()].some((e) => e.record.component === component);
    if (!stillUsed) this.#utilities.unsubscribe([], provided, component);
  }

  /** Whatever inversify users bound directly in the container under `provided.id` and `name`, else `fallback`. */
  fromContainer(provided: InterfaceSpec<unknown>, name: string, fallback: unknown): unknown {
    // Not `get(id, { optional: true })`: inversify 8.2.3 remembers that optional miss and, once a
    // `whenDefault()` binding is added, answers a *named* request with it (a named queryUtility
    // returned the unnamed utility). `isBound` answers right, and costs one check on this miss path only.
    const id = provided.id as symbol;
    const options = name ? { name } : undefined;
    if (!this.#container.isBound(id, options)) return fallback;
    try {
      const bound = this.#container.get(id, options);
      if (bound !== undefined) return bound;
    } catch {
      // Ambiguous or failing bindings are not utilities we can hand out.
    }
    return fallback;
  }

  /** Every registration made here. */
  records(): UtilityRegistration[] {
    return [...this.#records.values()].flatMap((m) => [...m.values()].map((e) => e.record));
  }
}
