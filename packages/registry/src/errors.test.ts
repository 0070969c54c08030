import { DovetailError, isDovetailError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import {
  AdapterAlreadyRegisteredError,
  AdapterDependencyError,
  CannotInferRegistrationError,
  ComponentLookupError,
  ComponentNotSetError,
  InvalidNameError,
  InvalidRegistrationError,
  RegistryError,
} from './errors.js';

class ExistingFactory {}

/** One instance of every error, keyed by the code it must carry. */
const samples: Record<string, RegistryError | InvalidRegistrationError | CannotInferRegistrationError> = {
  DT_REG_COMPONENT_NOT_FOUND: new ComponentLookupError('app.IX', 'page', ['app.IA', 'app.IB'], 'app'),
  DT_REG_ALREADY_REGISTERED: new AdapterAlreadyRegisteredError(ExistingFactory, ['app.IA'], 'app.IX', 'n'),
  DT_REG_INVALID_REGISTRATION: new InvalidRegistrationError('registerAdapter()', 'the provided interface', 42, 'an interface made by defineInterface()'),
  DT_REG_INVALID_NAME: new InvalidNameError('queryAdapter()', 7),
  DT_REG_COMPONENT_NOT_SET: new ComponentNotSetError('app.IX', 'a Session instance'),
  DT_REG_CANNOT_INFER: new CannotInferRegistrationError('registerAdapter(class Counter)', 'required', 'the factory declares none', 'Pass them.'),
  DT_REG_ADAPTER_DEPENDENCY: new AdapterDependencyError('Counter', 1, 'Symbol(dovetail:app.IClock)', { cause: new Error('inner') }),
};

describe('RegistryError', () => {
  it('every error → a dovetail error with its code; a RegistryError unless an argument had the wrong type or was missing', () => {
    for (const [code, error] of Object.entries(samples)) {
      expect(isDovetailError(error)).toBe(true);
      const wrongType = error instanceof InvalidRegistrationError || error instanceof CannotInferRegistrationError;
      expect(error instanceof TypeError).toBe(wrongType);
      expect(error instanceof RegistryError).toBe(!wrongType);
      expect(error instanceof DovetailError).toBe(!wrongType);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(error.constructor.name);
      expect(error.message.length).toBeGreaterThan(20);
    }
  });

  it('codes → unique and of the form DT_REG_*', () => {
    const codes = Object.values(samples).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^DT_REG_[A-Z_]+$/);
  });
});

describe('ComponentLookupError#message', () => {
  it('provided, name, required and registry → all named, with what to do', () => {
    const m = samples.DT_REG_COMPONENT_NOT_FOUND!.message;
    for (const part of ['app.IX', '"page"', 'app.IA, app.IB', "'app'", 'query']) expect(m).toContain(part);
  });

  it('no required specs and no name → says nothing', () => {
    const m = new ComponentLookupError('app.IX', '', [], 'global').message;
    expect(m).toContain('(nothing)');
    expect(m).not.toContain('named');
  });
});

describe('AdapterAlreadyRegisteredError#message', () => {
  it('the existing factory → named, with the fix', () => {
    const m = samples.DT_REG_ALREADY_REGISTERED!.message;
    expect(m).toContain('ExistingFactory');
    expect(m).toContain('app.IX');
    expect(m).toContain('replace: true');
  });
});

describe('InvalidRegistrationError#message', () => {
  it('where, what, given and expected → all in the message', () => {
    const m = samples.DT_REG_INVALID_REGISTRATION!.message;
    for (const part of ['registerAdapter()', 'the provided interface', 'number 42', 'defineInterface()', 'Nothing was registered']) expect(m).toContain(part);
  });
});

describe('InvalidNameError#message', () => {
  it('the given value → described', () => {
    expect(samples.DT_REG_INVALID_NAME!.message).toContain('number 7');
  });
});

describe('ComponentNotSetError#message', () => {
  it('interface and host → named', () => {
    const m = samples.DT_REG_COMPONENT_NOT_SET!.message;
    expect(m).toContain('app.IX');
    expect(m).toContain('a Session instance');
  });
});

describe('AdapterDependencyError#cause', () => {
  it('the container’s error → kept as cause', () => {
    const e = samples.DT_REG_ADAPTER_DEPENDENCY as AdapterDependencyError;
    expect((e.cause as Error).message).toBe('inner');
    expect(e.message).toContain('Counter');
    expect(e.message).toContain('parameter 1');
    expect(e.message).toContain('@optional()');
  });
});
