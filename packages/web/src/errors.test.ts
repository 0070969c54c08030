import { DovetailError } from '@dovetail/interfaces';
import { SessionBusyError, SessionConflictError, SessionDataError, SessionNotReplicatedError, SessionStoreError } from '@dovetail/session';
import { describe, expect, it } from '@jest/globals';
import * as statusOf from './error-status.js';
import * as misuse from './errors.js';
import * as requestErrors from './request-errors.js';

const errors = { ...misuse, ...requestErrors, ...statusOf };

const made: Array<[string, Error & { code: string; status?: number }]> = [
  ['MethodNotAllowedError', new errors.MethodNotAllowedError('POST', ['GET', 'HEAD'], 'Page')],
  ['MethodNotImplementedError', new errors.MethodNotImplementedError('PROPFIND', ['GET', 'HEAD'])],
  ['BadRequestTargetError', new errors.BadRequestTargetError('foo')],
  ['RequestTooLargeError', new errors.RequestTooLargeError(10, 11)],
  ['BadRequestBodyError', new errors.BadRequestBodyError('JSON', 'it is not')],
  ['UnsupportedMediaTypeError', new errors.UnsupportedMediaTypeError('multipart/form-data', 'urlencoded')],
  ['RenderResultError', new errors.RenderResultError('Page', 'a bigint')],
  ['SessionsNotConfiguredError', new errors.SessionsNotConfiguredError()],
  ['SessionPropertyError', new errors.SessionPropertyError('assign', 'size', 'it is a read-only property of Session')],
  ['ListenError', new errors.ListenError('127.0.0.1', 80, 'taken')],
  ['SiteStateError', new errors.SiteStateError('listen()', 'closed')],
  ['InvalidChildSegmentError', new errors.InvalidChildSegmentError(1)],
  ['InvalidChildResourceError', new errors.InvalidChildResourceError('x', 1)],
  ['InvalidCookieError', new errors.InvalidCookieError('sid', 'bad')],
  ['InvalidOptionError', new errors.InvalidOptionError('x', 1, 'y')],
  ['CliError', new errors.CliError('--port must be a port number (0–65535), not \'x\'.', 2)],
];

describe('web errors', () => {
  it('every exported error class → made once in this table', () => {
    const isErrorClass = (v: unknown): boolean => typeof v === 'function' && (v as { prototype?: unknown }).prototype instanceof Error;
    const exported = Object.entries(errors).filter(([k, v]) => k !== 'WebError' && isErrorClass(v)).map(([k]) => k).sort();
    expect(made.map(([n]) => n).sort()).toEqual(exported);
  });

  it.each(made)('%s → literal name, DT_WEB_ code', (name, error) => {
    expect(error.name).toBe(name);
    expect(error.code).toMatch(/^DT_WEB_[A-Z_]+$/);
    expect(error.message.length).toBeGreaterThan(20);
  });

  it('codes → unique', () => {
    const codes = made.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('every error → a WebError (a DovetailError) with an HTTP status, or, for an argument of the wrong type, a TypeError; the CLI\'s own → a DovetailError', () => {
    const typeErrors: string[] = [];
    for (const [name, error] of made) {
      if (error instanceof errors.CliError) {
        expect(error).toBeInstanceOf(DovetailError);
        expect(error.exitCode).toBe(2);
      } else if (error instanceof errors.WebError) {
        expect(error).toBeInstanceOf(DovetailError);
        expect(error.status).toBeGreaterThanOrEqual(400);
      } else {
        expect(error).toBeInstanceOf(TypeError);
        typeErrors.push(name);
      }
    }
    expect(typeErrors).toEqual(['InvalidChildSegmentError', 'InvalidChildResourceError', 'InvalidOptionError']);
  });

  it('a cause → kept', () => {
    const cause = new Error('inner');
    expect(new errors.RequestTooLargeError(1, 2, { cause }).cause).toBe(cause);
  });
});

describe('errorStatus', () => {
  it('a web error → its status', () => {
    expect(errors.errorStatus(new errors.MethodNotAllowedError('POST', ['GET'], 'Page'))).toBe(405);
    expect(errors.errorStatus(new errors.RequestTooLargeError(1, 2))).toBe(413);
  });

  it('session errors (no status of their own) → 503 busy, 503 store unavailable, 409 conflict, 500 bad data', () => {
    expect(errors.errorStatus(new SessionBusyError('abcdefgh', 100))).toBe(503);
    expect(errors.errorStatus(new SessionStoreError('redis', 'get'))).toBe(503);
    expect(errors.errorStatus(new SessionNotReplicatedError('redis', 'commit', 1000))).toBe(503);
    expect(errors.errorStatus(new SessionConflictError('abcdefgh', 1, 'redis'))).toBe(409);
    expect(errors.errorStatus(new SessionDataError('x', 'a function'))).toBe(500);
    for (const e of [new SessionBusyError('abcdefgh', 100), new SessionStoreError('redis', 'get')]) expect('status' in e).toBe(false);
  });

  it('another error with a numeric status 400–599 → that status; out of range, none or not an error → 500', () => {
    expect(errors.errorStatus(Object.assign(new Error('teapot'), { status: 418 }))).toBe(418);
    expect(errors.errorStatus(Object.assign(new Error('odd'), { status: 302 }))).toBe(500);
    expect(errors.errorStatus(new Error('bug'))).toBe(500);
    expect(errors.errorStatus('a string')).toBe(500);
    expect(errors.errorStatus(null)).toBe(500);
  });
});

describe('retryAfterHeader', () => {
  it('a busy session → its own retryAfter, rounded up', () => {
    expect(errors.retryAfterHeader(new SessionBusyError('abcdefgh', 100, 2.5))).toBe('3');
  });

  it('a store that is unavailable (no delay of its own) → the default for a 503', () => {
    expect(errors.retryAfterHeader(new SessionStoreError('redis', 'get'))).toBe('5');
  });

  it('a status other than 503 without retryAfter → none', () => {
    expect(errors.retryAfterHeader(new errors.RequestTooLargeError(1, 2))).toBeUndefined();
    expect(errors.retryAfterHeader(new SessionConflictError('abcdefgh', 1, 'redis'))).toBeUndefined();
  });
});
