import { DovetailError } from '@dovetail/interfaces';
import { describe, expect, it } from '@jest/globals';
import * as errors from './errors.js';

const made: Array<[string, Error & { code: string; status?: number }]> = [
  ['MethodNotAllowedError', new errors.MethodNotAllowedError('POST', ['GET', 'HEAD'], 'Page')],
  ['MethodNotImplementedError', new errors.MethodNotImplementedError('PROPFIND')],
  ['BadRequestTargetError', new errors.BadRequestTargetError('foo')],
  ['RequestTooLargeError', new errors.RequestTooLargeError(10, 11)],
  ['BadRequestBodyError', new errors.BadRequestBodyError('JSON', 'it is not')],
  ['UnsupportedMediaTypeError', new errors.UnsupportedMediaTypeError('multipart/form-data', 'urlencoded')],
  ['RenderResultError', new errors.RenderResultError('Page', 'a bigint')],
  ['SessionsNotConfiguredError', new errors.SessionsNotConfiguredError()],
  ['SessionClosedError', new errors.SessionClosedError()],
  ['ListenError', new errors.ListenError('127.0.0.1', 80, 'taken')],
  ['SiteStateError', new errors.SiteStateError('listen()', 'closed')],
  ['InvalidChildSegmentError', new errors.InvalidChildSegmentError(1)],
  ['InvalidChildResourceError', new errors.InvalidChildResourceError('x', 1)],
  ['InvalidCookieError', new errors.InvalidCookieError('sid', 'bad')],
  ['InvalidOptionError', new errors.InvalidOptionError('x', 1, 'y')],
];

describe('web errors', () => {
  it('every exported error class → made once in this table', () => {
    const exported = Object.keys(errors).filter((k) => k !== 'WebError').sort();
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

  it('request errors → WebError (a DovetailError) with an HTTP status; set-up errors → TypeError', () => {
    for (const [, error] of made) {
      if (error instanceof errors.WebError) {
        expect(error).toBeInstanceOf(DovetailError);
        expect(error.status).toBeGreaterThanOrEqual(400);
      } else {
        expect(error).toBeInstanceOf(TypeError);
      }
    }
  });

  it('a cause → kept', () => {
    const cause = new Error('inner');
    expect(new errors.RequestTooLargeError(1, 2, { cause }).cause).toBe(cause);
  });
});
