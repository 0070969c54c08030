/**
 * Where an `AdapterRegistry` keeps its registrations, and the walks over them: for n required
 * specs, nested maps required₁ → … → requiredₙ → provided → name → value (or → list, for
 * subscriptions), one tree per n, as zope.interface's `_adapters` and `_subscribers`.
 */
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';

/** One level of the nested maps. */
export type Tree = Map<unknown, unknown>;

/** The leaf map for `required`, created on the way when `create` is set. */
export function descend(byOrder: Tree[], required: readonly Spec[], create: boolean): Tree | undefined {
  const order = required.length;
  if (create) while (byOrder.length <= order) byOrder.push(new Map());
  let node: Tree | undefined = byOrder[order];
  for (const spec of required) {
    if (!node) return undefined;
    let next = node.get(spec) as Tree | undefined;
    if (!next && create) node.set(spec, (next = new Map()));
    node = next;
  }
  return node;
}

/** Drops empty maps along `required` and empty trailing orders, so specs can be collected. */
export function prune(byOrder: Tree[], required: readonly Spec[]): void {
  const path: Tree[] = [byOrder[required.length]!];
  for (const spec of required) path.push(path[path.length - 1]!.get(spec) as Tree);
  for (let i = required.length; i > 0; i--) {
    if (path[i]!.size === 0) path[i - 1]!.delete(required[i - 1]!);
  }
  while (byOrder.length > 0 && byOrder[byOrder.length - 1]!.size === 0) byOrder.pop();
}

/**
 * The first value named `name` below `components` for `specs` (each spec's `sro` most specific
 * first, from `i` on), provided as one of `extendors` (closest first): a lookup's walk.
 */
export function findFirst(components: Tree, specs: readonly Spec[], extendors: readonly InterfaceSpec<unknown>[], name: string, i: number): unknown {
  if (i < specs.length) {
    const sro = specs[i]!.sro;
    for (let s = 0; s < sro.length; s++) {
      const next = components.get(sro[s]) as Tree | undefined;
      if (next) {
        const found = findFirst(next, specs, extendors, name, i + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }
  for (let e = 0; e < extendors.length; e++) {
    const byName = components.get(extendors[e]) as Map<string, unknown> | undefined;
    if (byName) {
      const found = byName.get(name);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Hands `take` every leaf below `components` for `specs`, least specific first, so that later
 * (more specific) entries overwrite earlier ones by name: `lookupAll` and subscriptions.
 */
export function collectAll(components: Tree, specs: readonly Spec[], extendors: readonly (InterfaceSpec<unknown> | null)[], i: number, take: (leaf: unknown) => void): void {
  if (i < specs.length) {
    const sro = specs[i]!.sro;
    for (let s = sro.length - 1; s >= 0; s--) {
      const next = components.get(sro[s]) as Tree | undefined;
      if (next) collectAll(next, specs, extendors, i + 1, take);
    }
    return;
  }
  for (let e = extendors.length - 1; e >= 0; e--) {
    const leaf = components.get(extendors[e]);
    if (leaf) take(leaf);
  }
}

/** Every leaf `depth` levels below `tree`, with the specs on its path: the registrations, for introspection. */
export function* leaves(tree: Tree, depth: number, path: Spec[] = []): Generator<[Spec[], Tree]> {
  if (depth === 0) {
    yield [path, tree];
    return;
  }
  for (const [spec, sub] of tree) yield* leaves(sub as Tree, depth - 1, [...path, spec as Spec]);
}
