import { expect, it } from '@jest/globals';
import { SessionBusyError, SessionClosedError, SessionConflictError, shortId } from './errors.js';
import { newSessionId } from './session-id.js';

it('a message shows the end of a session id, never the whole id; ids made in the same millisecond are told apart', () => {
  const now = Date.now();
  const [a, b] = [newSessionId(now), newSessionId(now)];
  expect(shortId(a)).toBe(`…${a.slice(-6)}`);
  expect(shortId(a)).not.toBe(shortId(b));
  for (const error of [new SessionBusyError(a, 100), new SessionConflictError(a, 3, 'redis'), new SessionClosedError('set(x)', a)]) {
    expect(error.message).toContain(`ession ${shortId(a)}`);
    expect(error.message).not.toContain(a.slice(0, 8));
    expect(error.message).not.toContain(a.slice(-7));
    expect(error.shortSessionId).toBe(shortId(a));
  }
});

it('a short id shows only its last 2 characters', () => {
  expect(shortId('abcdef')).toBe('…ef');
  expect(shortId('s1')).toBe('…s1');
});
