import { describe, expect, it } from '@jest/globals';
import * as api from './index.js';

// The public runtime surface of @dovetail/interfaces. Adding or removing an export is a
// deliberate change: update this list in the same commit (one door per package: every export
// is named in src/index.ts, and this list is the check).
const expected = [
  'AdaptationError',
  'Attribute',
  'BrokenImplementation',
  'CyclicInterfaceError',
  'Declaration',
  'DovetailError',
  'InconsistentResolutionOrderError',
  'Interface',
  'InterfaceRedefinitionError',
  'InterfacesError',
  'InvalidDeclarationTargetError',
  'InvalidInterfaceNameError',
  'Method',
  'NotAnInterfaceError',
  'NullAdaptationError',
  'StillProvidedError',
  'adaptDirect',
  'adapterHooks',
  'alsoProvides',
  'c3',
  'classImplements',
  'classImplementsFirst',
  'classImplementsOnly',
  'classProvides',
  'conform',
  'defineInterface',
  'isDovetailError',
  'directlyProvidedBy',
  'directlyProvides',
  'implementedBy',
  'implementer',
  'implementerOnly',
  'interfaceNamed',
  'isInterface',
  'noLongerProvides',
  'providedBy',
  'provider',
  'verifyClass',
  'verifyObject',
];

describe('@dovetail/interfaces#exports', () => {
  it('runtime export names → the checked-in list', () => {
    expect(Object.keys(api).sort()).toEqual([...expected].sort());
  });

  it('every export → defined', () => {
    for (const name of expected) expect((api as Record<string, unknown>)[name]).toBeDefined();
  });
});
