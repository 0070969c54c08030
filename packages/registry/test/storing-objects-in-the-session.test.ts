/**
 * Twisted Web's "Storing Objects in the Session", as TypeScript: the doctest, the
 * counter resource, and re-running the definitions (what `cache()` guards against in an .rpy).
 */
import { Attribute, defineInterface, implementer, InterfaceRedefinitionError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import { AdapterAlreadyRegisteredError, Componentized, registerAdapter, Registry, withRegistry } from '@dovetail/registry';

/** Stands in for twisted.web.server.Session: the library's class, defined once. */
class Session extends Componentized {}

interface Counter {
  value: number;
}

/** The definitions of the .rpy script; a second call is a second run of the script. */
function definitions(options: { replace?: boolean } = {}) {
  const ICounter = defineInterface<Counter>('test.storingObjects.ICounter', {
    members: { value: Attribute('An int value which counts up once per page view.') },
  });
  @implementer(ICounter)
  class CounterImpl implements Counter {
    value = 0;
    constructor(_session: Session) {}
  }
  registerAdapter(CounterImpl, Session, ICounter, options);
  return { ICounter, Counter: CounterImpl };
}

/** CounterResource.render_GET. */
function renderGET(session: Session, ICounter: ReturnType<typeof definitions>['ICounter']): string {
  const counter = ICounter(session);
  counter.value += 1;
  return `<!DOCTYPE html><html><head><meta charset='utf-8'><title></title></head><body>Visit #${counter.value} for you!`;
}

describe('Componentized#conform (Twisted\'s "Storing Objects in the Session")', () => {
  it('ICounter(ses) → a Counter, the same object twice', () => {
    withRegistry(new Registry(), () => {
      const { ICounter, Counter } = definitions();
      const ses = new Session();
      const data = ICounter(ses);
      expect(data).toBeInstanceOf(Counter);
      expect(data.value).toBe(0);
      expect(data).toBe(ICounter(ses));
    });
  });

  it('the counter page → counts per session', () => {
    withRegistry(new Registry(), () => {
      const { ICounter } = definitions();
      const alice = new Session();
      const bob = new Session();
      expect(renderGET(alice, ICounter)).toContain('Visit #1 for you!');
      expect(renderGET(alice, ICounter)).toContain('Visit #2 for you!');
      expect(renderGET(bob, ICounter)).toContain('Visit #1 for you!');
      expect(renderGET(alice, ICounter)).toContain('Visit #3 for you!');
    });
  });

  it('definitions run again (same name and shape) → the same ICounter, the counter not reset', () => {
    withRegistry(new Registry(), () => {
      const first = definitions();
      const ses = new Session();
      renderGET(ses, first.ICounter);
      renderGET(ses, first.ICounter);
      // Twisted's registerAdapter refuses a second Counter ("an adapter was already registered");
      // the same happens here, naming the factory, unless the new one replaces it on purpose.
      expect(() => definitions()).toThrow(AdapterAlreadyRegisteredError);
      const second = definitions({ replace: true });
      expect(second.ICounter).toBe(first.ICounter);
      expect(second.Counter).not.toBe(first.Counter);
      expect(renderGET(ses, second.ICounter)).toContain('Visit #3 for you!');
      expect(second.ICounter(ses)).toBeInstanceOf(first.Counter);
      // A new session gets the new Counter class.
      expect(second.ICounter(new Session())).toBeInstanceOf(second.Counter);
    });
  });

  it('ICounter redefined with another shape → InterfaceRedefinitionError', () => {
    defineInterface<Counter>('test.storingObjects.ICounter', { members: { value: Attribute('') } });
    expect(() => defineInterface('test.storingObjects.ICounter', { members: { count: Attribute('') } })).toThrow(InterfaceRedefinitionError);
  });
});
