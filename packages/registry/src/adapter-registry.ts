/**
 * zope.interface's `AdapterRegistry`: values registered by (required specs, provided interface,
 * name), found by the most specific match, with caches invalidated by generation.
 *
 * Storage and lookup follow zope.interface's `AdapterRegistry` exactly:
 * - `byOrder[n]` holds registrations with n required specs as nested maps
 *   required₁ → … → requiredₙ → provided → name → value;
 * - `extendors[I]` lists the registered provided interfaces that are or extend `I`, those
 *   closest to `I` first, and among unrelated ones the most recently registered first;
 * - a lookup walks this registry then its bases (C3 order over registries), each required
 *   spec's `sro` from most to least specific, left to right, then the extendors: the first hit
 *   wins.
 *
 * Results are cached per (provided, name, required specs), misses included. The caches are
 * dropped when this registry or a base changes, and when any declaration changes
 * (`declarationChanges.epoch`); they are bounded, because objects carrying their own
 * declarations make new keys.
 */
import { c3, implementer } from '@dovetail/interfaces';
import { declarationChanges } from '@dovetail/interfaces/internal';
import { collectAll, descend, findFirst, leaves, prune } from './adapter-tree.js';
import { IAdapterRegistry } from './contracts.js';
import { checkName } from './registration.js';
import type { Tree } from './adapter-tree.js';
import type { AdapterRegistryContract } from './contracts.js';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';

const MISS = Symbol('miss');
/** Entries a cache may hold before it starts over (zope's caches are unbounded: CMFPlone#3829). */
const CACHE_LIMIT = 10_000;

/**
 * The adapter registry proper: opaque values by (required, provided, name), and subscriptions
 * by (required, provided). `Registry` keeps one for adapters and one for utilities.
 */
@implementer(IAdapterRegistry)
export class AdapterRegistry<V = unknown> implements AdapterRegistryContract<V> {
  /** The registries consulted after this one. */
  #bases: readonly AdapterRegistry<V>[] = [];
  /** This registry then its bases, C3 order. */
  ro: readonly AdapterRegistry<V>[] = [this];
  /** Bumped by every change here; a base's change bumps it too. */
  generation = 0;

  readonly #adapters: Tree[] = [];
  readonly #subscribers: Tree[] = [];
  readonly #provided = new Map<InterfaceSpec<unknown>, number>();
  readonly #extendors = new Map<InterfaceSpec<unknown>, InterfaceSpec<unknown>[]>();
  #dependents: Set<WeakRef<AdapterRegistry<V>>> | null = null;

  // Caches: unnamed single lookups get their own two-level map (the hot path).
  #epoch = declarationChanges.epoch;
  #single = new Map<Spec, Map<InterfaceSpec<unknown>, V | typeof MISS>>();
  #multi = new Map<InterfaceSpec<unknown>, Map<string, Tree>>();
  #all = new Map<InterfaceSpec<unknown>, Tree>();
  #subscriptions = new Map<InterfaceSpec<unknown> | null, Tree>();
  #cached = 0;

  /**
   * @param label - names the registry in error messages and resolution orders
   * @param bases - the registries consulted after this one, most important first
   */
  constructor(readonly label = 'registry', bases: readonly AdapterRegistry<V>[] = []) {
    if (bases.length) this.bases = bases;
  }

  /** How many lookup results the caches hold now (at most 10,000; read-only, for tests and benchmarks). */
  get cacheSize(): number {
    return this.#cached;
  }

  /** The registries consulted after this one, most important first. */
  get bases(): readonly AdapterRegistry<V>[] {
    return this.#bases;
  }

  /** Replaces the bases: the resolution order is recomputed and the caches here and in dependents start over. */
  set bases(bases: readonly AdapterRegistry<V>[]) {
    for (const b of this.#bases) b.#removeDependent(this);
    this.#bases = bases.slice();
    for (const b of this.#bases) (b.#dependents ??= new Set()).add(new WeakRef(this));
    this.ro = c3<AdapterRegistry<V>>(this, this.#bases, (r) => r.ro, (r) => r.label);
    this.changed();
  }

  #removeDependent(dep: AdapterRegistry<V>): void {
    if (this.#dependents) for (const ref of this.#dependents) if (ref.deref() === dep) this.#dependents.delete(ref);
  }

  /** Drops every cache here and in the registries built on this one. */
  changed(): void {
    this.generation++;
    this.#clearCaches();
    if (this.#dependents) {
      for (const ref of this.#dependents) {
        const d = ref.deref();
        if (d) d.changed();
        else this.#dependents.delete(ref);
      }
    }
  }

  #clearCaches(): void {
    this.#single = new Map();
    this.#multi = new Map();
    this.#all = new Map();
    this.#subscriptions = new Map();
    this.#cached = 0;
    this.#epoch = declarationChanges.epoch;
  }

  // ----------------------------------------------------------------------------- registration

  /**
   * Registers `value`; `undefined` unregisters. Registering the same value again changes nothing.
   *
   * @throws InvalidNameError (`DT_REG_INVALID_NAME`) when `name` is not a string (zope: ValueError).
   */
  register(required: readonly Spec[], provided: InterfaceSpec<unknown>, name: string, value: V | undefined): void {
    checkName('AdapterRegistry.register()', name);
    if (value === undefined) {
      this.unregister(required, provided, name);
      return;
    }
    const leaf = descend(this.#adapters, required, true)!;
    let byName = leaf.get(provided) as Map<string, V> | undefined;
    if (!byName) leaf.set(provided, (byName = new Map()));
    if (byName.get(name) === value) return;
    const isNew = !byName.has(name);
    byName.set(name, value);
    if (isNew) this.#addProvided(provided);
    this.changed();
  }

  /** The value registered at exactly these keys (no inheritance), or `undefined`. */
  registered(required: readonly Spec[], provided: InterfaceSpec<unknown>, name = ''): V | undefined {
    const leaf = descend(this.#adapters, required, false);
    return (leaf?.get(provided) as Map<string, V> | undefined)?.get(name);
  }

  /** Removes the registration (only when it is `value`, if given); true when something was removed. */
  unregister(required: readonly Spec[], provided: InterfaceSpec<unknown>, name: string, value?: V): boolean {
    const leaf = descend(this.#adapters, required, false);
    const byName = leaf?.get(provided) as Map<string, V> | undefined;
    if (!byName || !byName.has(name)) return false;
    if (value !== undefined && byName.get(name) !== value) return false;
    byName.delete(name);
    if (byName.size === 0) leaf!.delete(provided);
    prune(this.#adapters, required);
    this.#removeProvided(provided);
    this.changed();
    return true;
  }

  /** Adds a subscriber; `provided` null makes it a handler. Duplicates are allowed. */
  subscribe(required: readonly Spec[], provided: InterfaceSpec<unknown> | null, value: V): void {
    const leaf = descend(this.#subscribers, required, true)!;
    const list = leaf.get(provided) as V[] | undefined;
    leaf.set(provided, list ? [...list, value] : [value]);
    if (provided) this.#addProvided(provided);
    this.changed();
  }

  /** Removes subscribers equal to `value` (every one when `value` is undefined); true if any went. */
  unsubscribe(required: readonly Spec[], provided: InterfaceSpec<unknown> | null, value?: V): boolean {
    const leaf = descend(this.#subscribers, required, false);
    const list = leaf?.get(provided) as V[] | undefined;
    if (!list) return false;
    const kept = value === undefined ? [] : list.filter((v) => v !== value);
    if (kept.length === list.length) return false;
    if (kept.length) leaf!.set(provided, kept);
    else leaf!.delete(provided);
    prune(this.#subscribers, required);
    if (provided) for (let i = kept.length; i < list.length; i++) this.#removeProvided(provided);
    this.changed();
    return true;
  }

  #addProvided(provided: InterfaceSpec<unknown>): void {
    const n = (this.#provided.get(provided) ?? 0) + 1;
    this.#provided.set(provided, n);
    if (n !== 1) return;
    for (const i of provided.iro) {
      const old = this.#extendors.get(i) ?? [];
      // Interfaces the new one extends are closer to `i`, so they stay ahead of it; unrelated
      // ones go after it, which makes the most recent registration win among siblings.
      this.#extendors.set(i, [...old.filter((e) => provided.isOrExtends(e)), provided, ...old.filter((e) => !provided.isOrExtends(e))]);
    }
  }

  #removeProvided(provided: InterfaceSpec<unknown>): void {
    const n = (this.#provided.get(provided) ?? 0) - 1;
    if (n > 0) {
      this.#provided.set(provided, n);
      return;
    }
    this.#provided.delete(provided);
    for (const i of provided.iro) {
      const rest = (this.#extendors.get(i) ?? []).filter((e) => e !== provided);
      if (rest.length) this.#extendors.set(i, rest);
      else this.#extendors.delete(i);
    }
  }

  // ----------------------------------------------------------------------------- lookup

  /**
   * The most specific value for one required spec; unnamed, the hot path of `queryAdapter`.
   *
   * @throws InvalidNameError (`DT_REG_INVALID_NAME`) when `name` is not a string (zope: ValueError).
   */
  lookup1(required: Spec, provided: InterfaceSpec<unknown>, name = ''): V | undefined {
    // A name that is not '' (a string or not) takes lookup(), which checks it.
    if (name !== '') return this.lookup([required], provided, name);
    if (this.#epoch !== declarationChanges.epoch) this.#clearCaches();
    let byProvided = this.#single.get(required);
    if (byProvided === undefined) {
      if (this.#cached >= CACHE_LIMIT) this.#clearCaches();
      this.#single.set(required, (byProvided = new Map()));
    }
    const hit = byProvided.get(provided);
    if (hit !== undefined) return hit === MISS ? undefined : hit;
    const found = this.uncachedLookup([required], provided, '');
    byProvided.set(provided, found === undefined ? MISS : found);
    this.#cached++;
    return found;
  }

  /**
   * The most specific value for these required specs (multi-adapters), cached.
   *
   * @throws InvalidNameError (`DT_REG_INVALID_NAME`) when `name` is not a string (zope: ValueError).
   */
  lookup(required: readonly Spec[], provided: InterfaceSpec<unknown>, name = ''): V | undefined {
    if (required.length === 1 && name === '') return this.lookup1(required[0]!, provided);
    // Checked before anything is cached under it; lookup2's cache read falls through to here.
    checkName('AdapterRegistry.lookup()', name);
    if (this.#epoch !== declarationChanges.epoch) this.#clearCaches();
    let byName = this.#multi.get(provided);
    if (!byName) this.#multi.set(provided, (byName = new Map()));
    let tree = byName.get(name);
    if (!tree) byName.set(name, (tree = new Map()));
    const leaf = this.#cacheLeaf(tree, required);
    const hit = leaf.get(MISS);
    if (hit !== undefined) return hit === MISS ? undefined : (hit as V);
    const found = this.uncachedLookup(required, provided, name);
    leaf.set(MISS, found === undefined ? MISS : found);
    return found;
  }

  /**
   * `lookup([first, second], provided, name)` without building the array: the cache hit of a
   * two-object `queryMultiAdapter`. Same cache as `lookup`, which it falls back to on a miss.
   */
  lookup2(first: Spec, second: Spec, provided: InterfaceSpec<unknown>, name = ''): V | undefined {
    if (this.#epoch !== declarationChanges.epoch) this.#clearCaches();
    const leaf = (this.#multi.get(provided)?.get(name)?.get(first) as Tree | undefined)?.get(second) as Tree | undefined;
    if (leaf !== undefined) {
      const hit = leaf.get(MISS);
      if (hit !== undefined) return hit === MISS ? undefined : (hit as V);
    }
    return this.lookup([first, second], provided, name);
  }

  // A cache tree keyed position by position (JS has no tuple keys); the result sits under MISS.
  #cacheLeaf(tree: Tree, required: readonly Spec[]): Tree {
    let node = tree;
    for (const spec of required) {
      let next = node.get(spec) as Tree | undefined;
      if (!next) {
        if (++this.#cached > CACHE_LIMIT) {
          this.#clearCaches();
          return new Map();
        }
        node.set(spec, (next = new Map()));
      }
      node = next;
    }
    return node;
  }

  /** zope's `_uncached_lookup`: local registry first, then bases; first hit wins. */
  uncachedLookup(required: readonly Spec[], provided: InterfaceSpec<unknown>, name: string): V | undefined {
    const order = required.length;
    for (const registry of this.ro) {
      const byOrder = registry.#adapters;
      if (order >= byOrder.length) continue;
      const extendors = registry.#extendors.get(provided);
      if (!extendors) continue;
      const found = findFirst(byOrder[order]!, required, extendors, name, 0);
      if (found !== undefined) return found as V;
    }
    return undefined;
  }

  /** Every (name, value) that applies, one per name, the most specific and local winning. */
  lookupAll(required: readonly Spec[], provided: InterfaceSpec<unknown>): [string, V][] {
    if (this.#epoch !== declarationChanges.epoch) this.#clearCaches();
    let tree = this.#all.get(provided);
    if (!tree) this.#all.set(provided, (tree = new Map()));
    const leaf = this.#cacheLeaf(tree, required);
    const hit = leaf.get(MISS) as [string, V][] | undefined;
    if (hit) return hit;
    const result = new Map<string, V>();
    for (let r = this.ro.length - 1; r >= 0; r--) {
      const registry = this.ro[r]!;
      const byOrder = registry.#adapters;
      const extendors = registry.#extendors.get(provided);
      if (required.length >= byOrder.length || !extendors) continue;
      collectAll(byOrder[required.length]!, required, extendors, 0, (byName) => {
        for (const [n, v] of byName as Map<string, V>) result.set(n, v);
      });
    }
    const list = [...result];
    leaf.set(MISS, list);
    return list;
  }

  /** The names of everything `lookupAll` finds. */
  names(required: readonly Spec[], provided: InterfaceSpec<unknown>): string[] {
    return this.lookupAll(required, provided).map(([n]) => n);
  }

  /** Every subscriber that applies: bases first, less specific first, registration order. */
  subscriptions(required: readonly Spec[], provided: InterfaceSpec<unknown> | null): V[] {
    if (this.#epoch !== declarationChanges.epoch) this.#clearCaches();
    let tree = this.#subscriptions.get(provided);
    if (!tree) this.#subscriptions.set(provided, (tree = new Map()));
    const leaf = this.#cacheLeaf(tree, required);
    const hit = leaf.get(MISS) as V[] | undefined;
    if (hit) return hit;
    const result: V[] = [];
    for (let r = this.ro.length - 1; r >= 0; r--) {
      const registry = this.ro[r]!;
      const byOrder = registry.#subscribers;
      const extendors = provided === null ? [null] : registry.#extendors.get(provided);
      if (required.length >= byOrder.length || !extendors) continue;
      collectAll(byOrder[required.length]!, required, extendors, 0, (list) => {
        for (const v of list as V[]) result.push(v);
      });
    }
    leaf.set(MISS, result);
    return result;
  }

  /** Every registration made here (not in bases): `[required, provided, name, value]`. */
  *allRegistrations(): Generator<[Spec[], InterfaceSpec<unknown>, string, V]> {
    for (let order = 0; order < this.#adapters.length; order++) {
      for (const [path, leaf] of leaves(this.#adapters[order]!, order)) {
        for (const [provided, byName] of leaf) {
          for (const [name, value] of byName as Map<string, V>) yield [path, provided as InterfaceSpec<unknown>, name, value];
        }
      }
    }
  }

  /** Every subscription made here: `[required, provided, value]` (provided null for handlers). */
  *allSubscriptions(): Generator<[Spec[], InterfaceSpec<unknown> | null, V]> {
    for (let order = 0; order < this.#subscribers.length; order++) {
      for (const [path, leaf] of leaves(this.#subscribers[order]!, order)) {
        for (const [provided, list] of leaf) for (const value of list as V[]) yield [path, provided as InterfaceSpec<unknown> | null, value];
      }
    }
  }
}
