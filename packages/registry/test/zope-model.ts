/**
 * A deliberately naive re-implementation of zope.interface's AdapterRegistry
 * (adapter.py: `_uncached_lookup`, `_lookup`, `_uncached_lookupAll`, `_uncached_subscriptions`,
 * and the extendors `add_extendor`/`remove_extendor` maintain), used as the reference the real,
 * cached registry is checked against. Registrations are plain lists; nothing is cached or kept
 * up to date; every lookup walks everything again, extendors included.
 */
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';

type Provided = InterfaceSpec<unknown>;

interface Reg {
  required: readonly Spec[];
  provided: Provided;
  name: string;
  value: unknown;
}
interface Sub {
  required: readonly Spec[];
  provided: Provided | null;
  value: unknown;
}

const sameSpecs = (a: readonly Spec[], b: readonly Spec[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

/** One registry's registrations, subscriptions and extendors. */
export class ZopeModel {
  readonly regs: Reg[] = [];
  readonly subs: Sub[] = [];
  readonly #history: { p: Provided; provided: boolean }[] = [];

  constructor(readonly bases: readonly ZopeModel[] = []) {}

  /** This registry then its bases (the tests only use a single chain). */
  get ro(): ZopeModel[] {
    return [this, ...this.bases.flatMap((b) => b.ro)];
  }

  // ---------------------------------------------------------------- mutation

  registered(required: readonly Spec[], provided: Provided, name: string): unknown {
    return this.regs.find((r) => sameSpecs(r.required, required) && r.provided === provided && r.name === name)?.value;
  }

  register(required: readonly Spec[], provided: Provided, name: string, value: unknown): void {
    const existing = this.regs.find((r) => sameSpecs(r.required, required) && r.provided === provided && r.name === name);
    if (existing) {
      existing.value = value;
      return;
    }
    this.regs.push({ required, provided, name, value });
    this.#add(provided);
  }

  unregister(required: readonly Spec[], provided: Provided, name: string): void {
    const i = this.regs.findIndex((r) => sameSpecs(r.required, required) && r.provided === provided && r.name === name);
    if (i < 0) return;
    this.regs.splice(i, 1);
    this.#remove(provided);
  }

  subscribe(required: readonly Spec[], provided: Provided | null, value: unknown): void {
    this.subs.push({ required, provided, value });
    if (provided) this.#add(provided);
  }

  unsubscribe(required: readonly Spec[], provided: Provided | null, value?: unknown): void {
    for (let i = this.subs.length - 1; i >= 0; i--) {
      const s = this.subs[i]!;
      if (sameSpecs(s.required, required) && s.provided === provided && (value === undefined || s.value === value)) {
        this.subs.splice(i, 1);
        if (provided) this.#remove(provided);
      }
    }
  }

  /** How many registrations and subscriptions provide `p`. */
  #uses(p: Provided): number {
    return this.regs.filter((r) => r.provided === p).length + this.subs.filter((s) => s.provided === p).length;
  }

  // The history of provided interfaces, from which extendors are recomputed at each lookup.
  // zope keeps one list per interface in p.__iro__ up to date as registrations come and go; here
  // nothing is kept but the order in which interfaces started and stopped being provided.
  #add(p: Provided): void {
    if (this.#uses(p) === 1) this.#history.push({ p, provided: true });
  }

  #remove(p: Provided): void {
    if (this.#uses(p) === 0) this.#history.push({ p, provided: false });
  }

  /**
   * zope's `_extendors[i]`, replayed: each interface that came to be provided and extends `i`
   * goes first, then the ones it extends are moved (stably) ahead of it; one that stopped
   * being provided just leaves the list.
   */
  #extendors(i: Provided): Provided[] | undefined {
    let list: Provided[] = [];
    for (const { p, provided } of this.#history) {
      if (!p.isOrExtends(i)) continue;
      if (!provided) {
        list = list.filter((e) => e !== p);
        continue;
      }
      const rank = (e: Provided): number => (e !== p && p.isOrExtends(e) ? 0 : 1);
      list = [p, ...list].map((e, at) => ({ e, at })).sort((x, y) => rank(x.e) - rank(y.e) || x.at - y.at).map(({ e }) => e);
    }
    return list.length ? list : undefined;
  }

  // ---------------------------------------------------------------- lookup

  /** `_uncached_lookup`: each registry in ro, depth-first over the sro of each position, first hit. */
  lookup(required: readonly Spec[], provided: Provided, name: string): unknown {
    for (const m of this.ro) {
      const extendors = m.#extendors(provided);
      if (!extendors) continue;
      const walk = (i: number, prefix: Spec[]): unknown => {
        if (i < required.length) {
          for (const spec of required[i]!.sro) {
            const found = walk(i + 1, [...prefix, spec]);
            if (found !== undefined) return found;
          }
          return undefined;
        }
        for (const e of extendors) {
          const found = m.registered(prefix, e, name);
          if (found !== undefined) return found;
        }
        return undefined;
      };
      const found = walk(0, []);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** `_uncached_lookupAll`: bases first, least specific first, later entries overwrite by name. */
  lookupAll(required: readonly Spec[], provided: Provided): [string, unknown][] {
    const result = new Map<string, unknown>();
    for (const m of [...this.ro].reverse()) {
      const extendors = m.#extendors(provided);
      if (!extendors) continue;
      const walk = (i: number, prefix: Spec[]): void => {
        if (i < required.length) {
          for (const spec of [...required[i]!.sro].reverse()) walk(i + 1, [...prefix, spec]);
          return;
        }
        for (const e of [...extendors].reverse()) {
          for (const r of m.regs) if (sameSpecs(r.required, prefix) && r.provided === e) result.set(r.name, r.value);
        }
      };
      walk(0, []);
    }
    return [...result];
  }

  /** `_uncached_subscriptions`: the same walk, concatenating; provided null means handlers. */
  subscriptions(required: readonly Spec[], provided: Provided | null): unknown[] {
    const result: unknown[] = [];
    for (const m of [...this.ro].reverse()) {
      const extendors = provided === null ? [null] : m.#extendors(provided);
      if (!extendors) continue;
      const walk = (i: number, prefix: Spec[]): void => {
        if (i < required.length) {
          for (const spec of [...required[i]!.sro].reverse()) walk(i + 1, [...prefix, spec]);
          return;
        }
        for (const e of [...extendors].reverse()) {
          for (const s of m.subs) if (sameSpecs(s.required, prefix) && s.provided === e) result.push(s.value);
        }
      };
      walk(0, []);
    }
    return result;
  }
}
