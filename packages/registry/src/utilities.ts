/**
 * The bookkeeping behind `Registry`'s utilities: which registration holds each (interface, name),
 * its binding in the inversify container (keyed by `I.id`), and the utility `AdapterRegistry`
 * entries (the registration, plus one subscription per distinct component).
 *
 * `registry.registerUtility()` / `unregisterUtility()` (argument checks, replacement, registration
 * events) are here too, as adapter registration is in adapter-entries.ts. Internal to the package.
 */
import { componentName, utilityProvided } from './adapts.js';
import { InvalidRegistrationError } from './errors.js';
import { Registered, Unregistered, UtilityRegistration } from './events.js';
import { checkName, toProvided } from './registration.js';
import type { AdapterRegistry } from './adapter-registry.js';
import type { InterfaceSpec } from '@dovetail/interfaces';
import type { Container } from 'inversify';

/** What utility registration uses of the registry: its name (kept in the records) and its event dispatch. */
interface UtilityHost {
  readonly name: string;
  notify(event: unknown): void;
}

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

  /** `registry.registerUtility()`: replaces what `provided` and the name held, unless it is `component` already. */
  register(registry: UtilityHost, component: unknown, provided: InterfaceSpec<unknown> | undefined, options: { name?: string }): void {
    const where = 'registerUtility()';
    if (component === undefined || component === null) throw new InvalidRegistrationError(where, 'the component', component, 'a value (not null or undefined)');
    const target = provided === undefined ? utilityProvided(component) : toProvided(where, provided);
    const name = checkName(where, options.name === undefined ? componentName(component) : options.name);
    const old = this.registered(target, name);
    if (old?.component === component) return;
    if (old) this.unregister(registry, target, { name });
    const record = new UtilityRegistration(registry, target, name, component);
    this.add(record);
    registry.notify(new Registered(record));
  }

  /** `registry.unregisterUtility()`: true when a registration (of `component`, when given) was removed. */
  unregister(registry: UtilityHost, provided: InterfaceSpec<unknown>, options: { name?: string; component?: unknown }): boolean {
    const where = 'unregisterUtility()';
    const target = toProvided(where, provided);
    const name = checkName(where, options.name);
    const found = this.registered(target, name);
    if (!found || (options.component !== undefined && found.component !== options.component)) return false;
    this.remove(found);
    registry.notify(new Unregistered(found));
    return true;
  }

  /** The registration made here for `provided` under `name`, if any. */
  registered(provided: InterfaceSpec<unknown>, name: string): UtilityRegistration | undefined {
    return this.#records.get(provided)?.get(name)?.record;
  }

  /** Binds `record`'s component in the container and registers it (its key must be free). */
  private add(record: UtilityRegistration): void {
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
  private remove(record: UtilityRegistration): void {
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
