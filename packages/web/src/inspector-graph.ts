/**
 * The inspector's picture of a registry: an SVG drawn on the server from the live registrations.
 * Interfaces are boxes in layers (an interface sits one layer below the deepest interface it
 * extends), solid arrows are `extends`, dashed arrows are adapters from what they adapt
 * (an interface, or the class a `Declaration` stands for, drawn as a rounded box) to what they
 * provide. No layout library: a handful of layers and a few dozen boxes is what a registry has.
 *
 * @module
 */
import { Interface, isInterface } from '@dovetail/interfaces';
import { escapeHtml } from './internal/html.js';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';
import type { Registry } from '@dovetail/registry';

const BOX_H = 28;
const CHAR_W = 7;
const GAP_X = 24;
const GAP_Y = 56;
const PAD = 16;

interface Node {
  readonly spec: Spec;
  readonly label: string;
  readonly isInterface: boolean;
  layer: number;
  x: number;
  y: number;
  w: number;
}

/** A spec's label: an interface's dotted name, a declaration's own label (e.g. the class it stands for). */
export function specLabel(spec: Spec | null): string {
  if (spec === null) return '*';
  if (isInterface(spec)) return spec.name;
  return (spec as { label?: string }).label ?? String(spec);
}

/**
 * Every interface the registry's registrations name (required or provided), with all the
 * interfaces they extend, sorted by name. `Interface` itself, which everything extends, is left out.
 */
export function registeredInterfaces(registry: Registry): InterfaceSpec<unknown>[] {
  const found = new Set<InterfaceSpec<unknown>>();
  const add = (spec: Spec | null): void => {
    if (spec !== null && isInterface(spec)) for (const i of spec.iro) if (i !== Interface) found.add(i);
  };
  for (const r of registry.registeredAdapters()) [...r.required, r.provided].forEach(add);
  for (const r of registry.registeredUtilities()) add(r.provided);
  for (const r of registry.registeredSubscriptionAdapters()) [...r.required, r.provided].forEach(add);
  for (const r of registry.registeredHandlers()) r.required.forEach(add);
  return [...found].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The SVG (a standalone `<svg>` element, every label escaped) of the registry's interfaces,
 * their `extends` edges, and its adapters.
 *
 * @example
 * ```ts
 * const svg = registryGraphSvg(getGlobalRegistry());
 * ```
 */
export function registryGraphSvg(registry: Registry): string {
  const nodes = new Map<Spec, Node>();
  const node = (spec: Spec): Node => {
    let n = nodes.get(spec);
    if (n === undefined) {
      const label = specLabel(spec);
      n = { spec, label, isInterface: isInterface(spec), layer: 0, x: 0, y: 0, w: label.length * CHAR_W + 20 };
      nodes.set(spec, n);
    }
    return n;
  };
  const interfaces = registeredInterfaces(registry);
  interfaces.forEach(node);
  const adapters = registry.registeredAdapters().flatMap((r) => r.required.filter((s): s is Spec => s !== null).map((from) => [node(from), node(r.provided)] as const));

  // Layers: an interface's is one more than its deepest base's; classes sit on top (layer 0).
  const depth = new Map<Spec, number>();
  const layerOf = (i: InterfaceSpec<unknown>): number => {
    let d = depth.get(i);
    if (d === undefined) {
      const bases = i.bases.filter((b) => b !== Interface);
      d = bases.length === 0 ? 0 : 1 + Math.max(...bases.map(layerOf));
      depth.set(i, d);
    }
    return d;
  };
  const hasClasses = [...nodes.values()].some((n) => !n.isInterface);
  for (const n of nodes.values()) n.layer = n.isInterface ? layerOf(n.spec as InterfaceSpec<unknown>) + (hasClasses ? 1 : 0) : 0;

  const layers: Node[][] = [];
  for (const n of nodes.values()) (layers[n.layer] ??= []).push(n);
  let width = 0;
  layers.forEach((row, i) => {
    let x = PAD;
    for (const n of row.sort((a, b) => a.label.localeCompare(b.label))) {
      Object.assign(n, { x, y: PAD + i * (BOX_H + GAP_Y) });
      x += n.w + GAP_X;
    }
    width = Math.max(width, x - GAP_X + PAD);
  });
  const height = PAD * 2 + Math.max(0, layers.length * (BOX_H + GAP_Y) - GAP_Y);

  const edge = (from: Node, to: Node, kind: 'extends' | 'adapter'): string => {
    const [x1, y1] = [from.x + from.w / 2, from.y + (to.y >= from.y ? BOX_H : 0)];
    const [x2, y2] = [to.x + to.w / 2, to.y + (to.y >= from.y ? 0 : BOX_H)];
    const title = `${from.label} ${kind === 'extends' ? 'is extended by' : 'is adapted to'} ${to.label}`;
    return `<line class="${kind}" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" marker-end="url(#arrow)"><title>${escapeHtml(title)}</title></line>`;
  };
  const edges: string[] = [];
  for (const i of interfaces) for (const b of i.bases) if (b !== Interface && nodes.has(b)) edges.push(edge(node(b), node(i), 'extends'));
  for (const [from, to] of adapters) edges.push(edge(from, to, 'adapter'));
  const boxes = [...nodes.values()].map(
    (n) =>
      `<g class="${n.isInterface ? 'interface' : 'class'}" data-name="${escapeHtml(n.label)}">` +
      `<rect x="${n.x}" y="${n.y}" width="${n.w}" height="${BOX_H}" rx="${n.isInterface ? 0 : 10}"/>` +
      `<text x="${n.x + n.w / 2}" y="${n.y + BOX_H / 2 + 4}" text-anchor="middle">${escapeHtml(n.label)}</text></g>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(width, 2 * PAD)}" height="${height}" role="img" aria-label="interfaces and adapters">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z"/></marker></defs>` +
    `<style>rect{fill:#f4f6fb;stroke:#345}g.class rect{fill:#fff8e6}text{font:12px monospace}` +
    `line{stroke:#345}line.adapter{stroke:#a50;stroke-dasharray:5 3}</style>` +
    edges.join('') +
    boxes.join('') +
    `</svg>`
  );
}
