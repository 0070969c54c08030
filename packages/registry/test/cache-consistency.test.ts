/**
 * Property tests: after any sequence of registrations, unregistrations, `classImplements` and
 * `alsoProvides`, with lookups in between to warm the caches, every cached lookup equals
 * (1) a naive re-implementation of zope's uncached lookup (test/zope-model.ts), and
 * (2) the same lookup on a fresh Registry rebuilt from the same registrations.
 */
import {
  alsoProvides,
  classImplements,
  defineInterface,
  implementedBy,
  InconsistentResolutionOrderError,
  Interface,
  providedBy,
} from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Registry } from '@dovetail/registry';
import { ZopeModel } from './zope-model.js';
import type { InterfaceSpec, Spec } from '@dovetail/interfaces';
import type { AdapterRegistration, HandlerRegistration, SubscriptionRegistration } from '@dovetail/registry';

const NI = 4; // interfaces
const NC = 3; // classes
const NO = 3; // objects
const NAMES = ['', 'a'] as const;
const NF = 3; // factories
const NH = 2; // handlers
const NU = 3; // utility components

// ------------------------------------------------------------------------------ arbitraries

type SpecRef = { kind: 'i' | 'c'; idx: number } | { kind: 'n' };
const specRef: fc.Arbitrary<SpecRef> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('i' as const), idx: fc.nat(NI - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('c' as const), idx: fc.nat(NC - 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'n' as const }) },
);
const required = fc.array(specRef, { minLength: 1, maxLength: 2 });
const iIdx = fc.nat(NI - 1);
const name = fc.constantFrom(...NAMES);
const target = fc.nat(1); // 0: local, 1: base (with one registry, both are the same)

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('reg' as const), f: fc.nat(NF - 1), req: required, p: iIdx, name, replace: fc.boolean(), target }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('unreg' as const), req: required, p: iIdx, name, f: fc.option(fc.nat(NF - 1), { nil: undefined }), target }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('sub' as const), f: fc.nat(NF - 1), req: required, p: iIdx, target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unsub' as const), req: required, p: iIdx, f: fc.option(fc.nat(NF - 1), { nil: undefined }), target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('handler' as const), h: fc.nat(NH - 1), req: required, target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unhandler' as const), req: required, h: fc.option(fc.nat(NH - 1), { nil: undefined }), target }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('util' as const), u: fc.nat(NU - 1), p: iIdx, name, target }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unutil' as const), p: iIdx, name, target }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('impl' as const), c: fc.nat(NC - 1), i: iIdx }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('also' as const), o: fc.nat(NO - 1), i: iIdx }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('look' as const), objs: fc.array(fc.nat(NO - 1), { minLength: 1, maxLength: 2 }), p: iIdx, name, on: target }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('lookspec' as const), req: required, p: iIdx, name, on: target }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('lookutil' as const), p: iIdx, name, on: target }) },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;
const declarationOps = fc.array(
  fc.oneof(
    fc.record({ op: fc.constant('impl' as const), c: fc.nat(NC - 1), i: iIdx, first: fc.nat(4) }),
    fc.record({ op: fc.constant('also' as const), o: fc.nat(NO - 1), i: iIdx, first: fc.nat(4) }),
  ),
  { minLength: 1, maxLength: 4 },
);
type DeclarationOp = typeof declarationOps extends fc.Arbitrary<(infer T)[]> ? T : never;

const universe = fc.record({
  ifaceBases: fc.array(fc.uniqueArray(fc.nat(NI - 1), { maxLength: 2 }), { minLength: NI, maxLength: NI }),
  classParents: fc.array(fc.option(fc.nat(NC - 1), { nil: undefined }), { minLength: NC, maxLength: NC }),
  classDecls: fc.array(fc.uniqueArray(fc.nat(NI - 1), { minLength: 1, maxLength: 2 }), { minLength: NC, maxLength: NC }),
  objectClasses: fc.array(fc.nat(NC - 1), { minLength: NO, maxLength: NO }),
});
type UniverseShape = typeof universe extends fc.Arbitrary<infer T> ? T : never;

// ------------------------------------------------------------------------------ the world

let runs = 0;

/** Interfaces (random extends), classes (random inheritance, declarations), objects, factories. */
function build(shape: UniverseShape) {
  const run = ++runs;
  const ifaces: InterfaceSpec<unknown>[] = [];
  for (let i = 0; i < NI; i++) {
    const bases = i === 0 ? [] : [...new Set(shape.ifaceBases[i]!.map((b) => b % i))].map((b) => ifaces[b]!);
    const name = `test.reg.prop${run}.I${i}`;
    try {
      ifaces.push(defineInterface(name, { extends: bases }));
    } catch (e) {
      if (!(e instanceof InconsistentResolutionOrderError)) throw e;
      ifaces.push(defineInterface(name));
    }
  }
  const classes: (new () => object)[] = [];
  for (let c = 0; c < NC; c++) {
    const parentIdx = shape.classParents[c];
    const Parent = parentIdx !== undefined && c > 0 ? classes[parentIdx % c]! : undefined;
    const Cls = Parent ? class extends Parent {} : class {};
    Object.defineProperty(Cls, 'name', { value: `C${c}` });
    tolerate(() => classImplements(Cls, ...shape.classDecls[c]!.map((i) => ifaces[i]!)));
    classes.push(Cls);
  }
  const objects = shape.objectClasses.map((c) => new classes[c]!());
  const factories = Array.from({ length: NF }, (_, f) => Object.defineProperty((o: unknown) => ({ f, o }), 'name', { value: `f${f}` }));
  const handlers = Array.from({ length: NH }, (_, h) => Object.defineProperty(() => undefined, 'name', { value: `h${h}` }));
  const components = Array.from({ length: NU }, (_, u) => ({ u }));
  return { ifaces, classes, objects, factories, handlers, components };
}
type World = ReturnType<typeof build>;

/** Declarations with no consistent C3 order are refused; the test carries on without them. */
function tolerate(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof InconsistentResolutionOrderError)) throw e;
  }
}

function specOf(world: World, ref: SpecRef): Spec {
  if (ref.kind === 'n') return Interface;
  return ref.kind === 'i' ? world.ifaces[ref.idx]! : implementedBy(world.classes[ref.idx]!);
}
function registrationRequired(world: World, ref: SpecRef): InterfaceSpec<unknown> | (new () => object) | null {
  if (ref.kind === 'n') return null;
  return ref.kind === 'i' ? world.ifaces[ref.idx]! : world.classes[ref.idx]!;
}

// ------------------------------------------------------------------------------ the model of Registry

/** What Registry does to its two AdapterRegistries, on ZopeModels. */
class ModelRegistry {
  readonly adapters: ZopeModel;
  readonly utilities: ZopeModel;
  readonly #utility = new Map<string, unknown>();
  constructor(base?: ModelRegistry) {
    this.adapters = new ZopeModel(base ? [base.adapters] : []);
    this.utilities = new ZopeModel(base ? [base.utilities] : []);
  }

  /** Mirrors Registry.registerAdapter; returns false where the registry must refuse. */
  registerAdapter(f: unknown, specs: Spec[], p: InterfaceSpec<unknown>, name: string, replace: boolean): boolean {
    const existing = this.adapters.registered(specs, p, name);
    if (existing === f) return true;
    if (existing !== undefined && !replace) return false;
    this.adapters.register(specs, p, name, f);
    return true;
  }

  registerUtility(c: unknown, p: InterfaceSpec<unknown>, name: string): void {
    const key = `${p.name}\0${name}`;
    const old = this.#utility.get(key);
    if (old === c) return;
    if (old !== undefined) this.unregisterUtility(p, name);
    this.#utility.set(key, c);
    this.utilities.register([], p, name, c);
    if (!this.utilities.subs.some((s) => s.provided === p && s.value === c)) this.utilities.subscribe([], p, c);
  }

  unregisterUtility(p: InterfaceSpec<unknown>, name: string): void {
    const key = `${p.name}\0${name}`;
    const c = this.#utility.get(key);
    if (c === undefined) return;
    this.#utility.delete(key);
    this.utilities.unregister([], p, name);
    const stillUsed = [...this.#utility].some(([k, v]) => v === c && k.startsWith(`${p.name}\0`));
    if (!stillUsed) this.utilities.unsubscribe([], p, c);
  }
}

// ------------------------------------------------------------------------------ running a sequence

const factoryOf = (entry: unknown): unknown => (entry as { record: AdapterRegistration } | undefined)?.record.factory;

// Plain comparisons: expect() in these loops costs most of the run time.
function same(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`${what}: got ${describeValue(actual)}, zope's rules give ${describeValue(expected)}`);
}
function sameList(actual: readonly unknown[], expected: readonly unknown[], what: string): void {
  if (actual.length !== expected.length || actual.some((a, i) => a !== expected[i])) {
    throw new Error(`${what}: got [${actual.map(describeValue).join(', ')}], zope's rules give [${expected.map(describeValue).join(', ')}]`);
  }
}
const describeValue = (v: unknown): string => (typeof v === 'function' ? v.name : JSON.stringify(v) ?? 'undefined');
const subscriberOf = (entry: unknown): unknown => {
  const record = (entry as { record: SubscriptionRegistration | HandlerRegistration }).record;
  return 'handler' in record ? record.handler : record.factory;
};

function runSequence(shape: UniverseShape, ops: Op[], declarations: DeclarationOp[], layered: boolean): void {
  const world = build(shape);
  const base = layered ? new Registry({ name: 'base' }) : undefined;
  const local = new Registry({ name: 'local', bases: base ? [base] : [] });
  const modelBase = layered ? new ModelRegistry() : undefined;
  const model = new ModelRegistry(modelBase);
  const registries = [local, base ?? local];
  const models = [model, modelBase ?? model];
  /** The registration operations applied so far, to rebuild a fresh registry from. */
  const log: ((rs: Registry[]) => void)[] = [];
  let fresh: Registry[] | null = null;
  const freshRegistries = (): Registry[] => {
    if (!fresh) {
      const fb = layered ? new Registry({ name: 'fresh-base' }) : undefined;
      const fl = new Registry({ name: 'fresh-local', bases: fb ? [fb] : [] });
      fresh = [fl, fb ?? fl];
      for (const apply of log) apply(fresh);
    }
    return fresh;
  };
  const record = (apply: (rs: Registry[]) => void): void => {
    apply(registries);
    log.push(apply);
    fresh = null;
  };

  let rotation = 0;
  const check = (on: number, specs: Spec[], p: InterfaceSpec<unknown>, nm: string, only?: number): void => {
    const r = registries[on]!;
    const m = models[on]!;
    const f = freshRegistries()[on]!;
    const where = `${specs.map(String).join(', ')} → ${p.name} "${nm}" on ${r.name}`;
    // Each cached method checks for declaration changes itself: vary which one runs first, so
    // that one method clearing the caches does not hide another that forgot to.
    const checks = [
      (): void => {
        const expected = m.adapters.lookup(specs, p, nm);
        // The cached lookup (lookup1 for one unnamed spec, the multi cache otherwise).
        same(factoryOf(r.adapters.lookup(specs, p, nm)), expected, `lookup ${where}`);
        same(factoryOf(f.adapters.lookup(specs, p, nm)), expected, `fresh lookup ${where}`);
        same(factoryOf(r.adapters.uncachedLookup(specs, p, nm)), expected, `uncachedLookup ${where}`);
        if (specs.length === 2) same(factoryOf(r.adapters.lookup2(specs[0]!, specs[1]!, p, nm)), expected, `lookup2 ${where}`);
      },
      (): void => {
        const all = m.adapters.lookupAll(specs, p).flat();
        sameList(r.adapters.lookupAll(specs, p).flatMap(([n, e]) => [n, factoryOf(e)]), all, `lookupAll ${where}`);
        sameList(f.adapters.lookupAll(specs, p).flatMap(([n, e]) => [n, factoryOf(e)]), all, `fresh lookupAll ${where}`);
      },
      (): void => {
        const subs = m.adapters.subscriptions(specs, p);
        sameList(r.adapters.subscriptions(specs, p).map(subscriberOf), subs, `subscriptions ${where}`);
        sameList(f.adapters.subscriptions(specs, p).map(subscriberOf), subs, `fresh subscriptions ${where}`);
      },
      (): void => {
        sameList(r.adapters.subscriptions(specs, null).map(subscriberOf), m.adapters.subscriptions(specs, null), `handlers ${where}`);
      },
    ];
    if (only !== undefined) {
      // 0: lookup1's cache (one spec, unnamed), 1: the multi cache, 2…4: the others.
      const single = specs.length === 1 && nm === '';
      if (only === 0 ? single : only === 1 ? !single : true) checks[Math.max(0, only - 1)]!();
      return;
    }
    rotation = (rotation + 1) % checks.length;
    for (let i = 0; i < checks.length; i++) checks[(rotation + i) % checks.length]!();
  };

  const checkUtility = (on: number, p: InterfaceSpec<unknown>, nm: string): void => {
    const r = registries[on]!;
    const m = models[on]!;
    const where = `${p.name} "${nm}" on ${r.name}`;
    const expected = m.utilities.lookup([], p, nm);
    same(r.queryUtility(p, nm), expected, `queryUtility ${where}`);
    same(freshRegistries()[on]!.queryUtility(p, nm), expected, `fresh queryUtility ${where}`);
    sameList(r.getUtilitiesFor(p).flat(), m.utilities.lookupAll([], p).flat(), `getUtilitiesFor ${where}`);
    sameList(r.getAllUtilitiesRegisteredFor(p), m.utilities.subscriptions([], p), `getAllUtilitiesRegisteredFor ${where}`);
  };

  for (const o of ops) {
    switch (o.op) {
      case 'reg': {
        const specs = o.req.map((s) => specOf(world, s));
        const req = o.req.map((s) => registrationRequired(world, s));
        const f = world.factories[o.f]!;
        const p = world.ifaces[o.p]!;
        const ok = models[o.target]!.registerAdapter(f, specs, p, o.name, o.replace);
        if (ok) record((rs) => rs[o.target]!.registerAdapter(f, req, p, { name: o.name, replace: o.replace }));
        else expect(() => registries[o.target]!.registerAdapter(f, req, p, { name: o.name, replace: o.replace })).toThrow();
        break;
      }
      case 'unreg': {
        const specs = o.req.map((s) => specOf(world, s));
        const req = o.req.map((s) => registrationRequired(world, s));
        const p = world.ifaces[o.p]!;
        const f = o.f === undefined ? undefined : world.factories[o.f];
        const m = models[o.target]!.adapters;
        if (f === undefined || m.registered(specs, p, o.name) === f) m.unregister(specs, p, o.name);
        record((rs) => rs[o.target]!.unregisterAdapter(req, p, { name: o.name, ...(f ? { factory: f } : {}) }));
        break;
      }
      case 'sub': {
        const specs = o.req.map((s) => specOf(world, s));
        const req = o.req.map((s) => registrationRequired(world, s));
        const f = world.factories[o.f]!;
        const p = world.ifaces[o.p]!;
        models[o.target]!.adapters.subscribe(specs, p, f);
        record((rs) => rs[o.target]!.registerSubscriptionAdapter(f, req, p));
        break;
      }
      case 'unsub': {
        const specs = o.req.map((s) => specOf(world, s));
        const req = o.req.map((s) => registrationRequired(world, s));
        const p = world.ifaces[o.p]!;
        const f = o.f === undefined ? undefined : world.factories[o.f];
        models[o.target]!.adapters.unsubscribe(specs, p, f);
        record((rs) => rs[o.target]!.unregisterSubscriptionAdapter(req, p, f));
        break;
      }
      case 'handler': {
        const specs = o.req.map((s) => specOf(world, s));
        const req = o.req.map((s) => registrationRequired(world, s));
        const h = world.handlers[o.h]!;
        models[o.target]!.adapters.subscribe(specs, null, h);
        record((rs) => rs[o.target]!.registerHandler(h, req));
        break;
      }
      case 'unhandler': {
        const specs = o.req.map((s) => specOf(world, s));
        const req = o.req.map((s) => registrationRequired(world, s));
        const h = o.h === undefined ? undefined : world.handlers[o.h];
        models[o.target]!.adapters.unsubscribe(specs, null, h);
        record((rs) => rs[o.target]!.unregisterHandler(req, h));
        break;
      }
      case 'util': {
        const c = world.components[o.u]!;
        const p = world.ifaces[o.p]!;
        models[o.target]!.registerUtility(c, p, o.name);
        record((rs) => rs[o.target]!.registerUtility(c, p, { name: o.name }));
        break;
      }
      case 'unutil': {
        const p = world.ifaces[o.p]!;
        models[o.target]!.unregisterUtility(p, o.name);
        record((rs) => rs[o.target]!.unregisterUtility(p, { name: o.name }));
        break;
      }
      case 'impl':
        // Declarations are shared by the live registry, the fresh one and the model.
        tolerate(() => classImplements(world.classes[o.c]!, world.ifaces[o.i]!));
        break;
      case 'also':
        tolerate(() => alsoProvides(world.objects[o.o]!, world.ifaces[o.i]!));
        break;
      case 'look':
        check(o.on, o.objs.map((i) => providedBy(world.objects[i]!)), world.ifaces[o.p]!, o.name);
        break;
      case 'lookspec':
        check(o.on, o.req.map((s) => specOf(world, s)), world.ifaces[o.p]!, o.name);
        break;
      case 'lookutil':
        checkUtility(o.on, world.ifaces[o.p]!, o.name);
        break;
    }
  }

  // Every object, interface and name, and pairs starting with each object: once to warm the
  // caches, then again after declaration changes alone (no registration clears the caches then).
  const sweep = (only?: number): void => {
    for (let on = 0; on < (layered ? 2 : 1); on++) {
      for (const p of world.ifaces) {
        for (const nm of NAMES) {
          if (only === undefined) checkUtility(on, p, nm);
          for (const a of world.objects) {
            check(on, [providedBy(a)], p, nm, only);
            for (const b of world.objects) check(on, [providedBy(a), providedBy(b)], p, nm, only);
          }
        }
      }
    }
  };
  sweep();
  declarations.forEach((d, i) => {
    if (d.op === 'impl') tolerate(() => classImplements(world.classes[d.c]!, world.ifaces[d.i]!));
    else tolerate(() => alsoProvides(world.objects[d.o]!, world.ifaces[d.i]!));
    // One kind of lookup first: the first cached call after a declaration change may be the
    // one that notices it (and clears every cache), so each kind must notice on its own.
    sweep((d.first + i) % 5);
    sweep();
  });
}

describe('AdapterRegistry#cache (property)', () => {
  it('random registrations, declarations and lookups on one registry → cached results equal zope’s uncached ones', () => {
    fc.assert(
      fc.property(universe, fc.array(op, { minLength: 5, maxLength: 80, size: 'max' }), declarationOps, (shape, ops, declarations) => {
        runSequence(shape, ops, declarations, false);
      }),
      { numRuns: 100 },
    );
  });

  it('the same with a base and a local registry → cached results equal zope’s uncached ones', () => {
    fc.assert(
      fc.property(universe, fc.array(op, { minLength: 5, maxLength: 80, size: 'max' }), declarationOps, (shape, ops, declarations) => {
        runSequence(shape, ops, declarations, true);
      }),
      { numRuns: 100 },
    );
  });
});
