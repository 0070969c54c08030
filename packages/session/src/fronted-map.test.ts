import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FrontedMap } from './fronted-map.js';

type Op = { op: 'set'; key: number; value: number; busy: boolean } | { op: 'get' | 'has' | 'delete' | 'peek' | 'near'; key: number } | { op: 'clear' };

const key = fc.integer({ min: 0, max: 12 });
const ops = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer({ min: 0, max: 3 }), busy: fc.boolean() }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('get' as const, 'has' as const, 'delete' as const, 'peek' as const, 'near' as const), key }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const) }) },
  ),
  { maxLength: 200, size: 'max' },
);

describe('FrontedMap', () => {
  it('answers every sequence of operations as a Map does, whatever its front keeps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), ops, (front, sequence: Op[]) => {
        // Values are objects, as the sessions' states and the store's entries are: `set` of the
        // same object must be a no-op, of an equal new one a replacement.
        const values = [{ v: 0 }, { v: 1 }, { v: 2 }, { v: 3 }];
        const map = new FrontedMap<number, { v: number }>(front);
        const model = new Map<number, { v: number }>();
        for (const step of sequence) {
          switch (step.op) {
            case 'set':
              map.set(step.key, values[step.value]!, step.busy);
              model.set(step.key, values[step.value]!);
              break;
            case 'get':
              expect(map.get(step.key)).toBe(model.get(step.key));
              break;
            case 'peek':
              expect(map.peek(step.key)).toBe(model.get(step.key));
              break;
            case 'near': {
              // In front or not, as the key was used; never another value than the map's.
              const near = map.near(step.key);
              if (near !== undefined) expect(near).toBe(model.get(step.key));
              break;
            }
            case 'has':
              expect(map.has(step.key)).toBe(model.has(step.key));
              break;
            case 'delete':
              expect(map.delete(step.key)).toBe(model.delete(step.key));
              break;
            case 'clear':
              map.clear();
              model.clear();
          }
          expect(map.size).toBe(model.size);
        }
        expect([...map]).toEqual([...model]);
      }),
    );
  });

  it('a key set as in use is found in front; a new key set as not busy is not, until it is used', () => {
    const map = new FrontedMap<string, string>(4);
    map.set('busy', 'b');
    map.set('new', 'n', false);
    expect(map.near('busy')).toBe('b');
    expect(map.near('new')).toBeUndefined();
    expect(map.peek('new')).toBe('n');
    expect(map.near('new')).toBeUndefined(); // peek leaves it behind
    expect(map.get('new')).toBe('n');
    expect(map.near('new')).toBe('n');
  });

  it('a value replaced while its key is in front is the one found there afterwards', () => {
    const map = new FrontedMap<string, string>(2);
    map.set('busy', 'old');
    expect(map.get('busy')).toBe('old'); // now in front
    map.set('busy', 'new');
    expect(map.get('busy')).toBe('new');
    expect([...map]).toEqual([['busy', 'new']]);
  });
});
