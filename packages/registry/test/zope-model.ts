/**
 * A deliberately naive re-implementation of zope.interface's AdapterRegistry
 * (adapter.py: `_uncached_lookup`, `_lookup`, `_uncached_lookupAll`, `_uncached_subscriptions`,
 * `add_extendor`/`remove_extendor`), used as the reference the real, cached registry is
 * checked against. Registrations are plain lists; nothing is cached; every lookup walks
 * everything again.
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
  readonly #counts = new Map<Provided, number>();
  readonly #extendors = new Map<Provided, Provided[]>();

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

  // zope's add_extendor: for each i in p.__iro__, the interfaces p extends stay ahead of it.
  #add(p: Provided): void {
    const n = (this.#counts.get(p) ?? 0) + 1;
    this.#counts.set(p, n);
    if (n !== 1) return;
    for (const i of p.iro) {
      const old = this.#extendors.get(i) ?? [];
      this.#extendors.set(i, [...old.filter((e) => p.isOrExtends(e)), p, ...old.filter((e) => !p.isOrExtends(e))]);
    }
  }

  #remove(p: Provided): void {
    const n = (this.#counts.get(p) ?? 0) - 1;
    if (n > 0) {
      this.#counts.set(p, n);
      return;
    }
    this.#counts.delete(p);
    for (const i of p.iro) {
      const rest = (this.#extendors.get(i) ?? []).filter((e) => e !== p);
      if (rest.length) this.#extendors.set(i, rest);
      else this.#extendors.delete(i);
    }
  }

  // ---------------------------------------------------------------- lookup

  /** `_uncached_lookup`: each registry in ro, depth-first over the sro of each position, first hit. */
  lookup(required: readonly Spec[], provided: Provided, name: string): unknown {
    for (const m of this.ro) {
      const extendors = m.#extendors.get(provided);
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
      const extendors = m.#extendors.get(provided);
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
      const extendors = provided === null ? [null] : m.#extendors.get(provided);
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
