import { describe, expect, it } from '@jest/globals';
import * as web from './index.js';

describe('@dovetail/web exports', () => {
  it('the value exports → exactly the checked-in list', () => {
    expect(Object.keys(web).sort()).toEqual(
      [
        'BadRequestBodyError',
        'ClientId',
        'IClientId',
        'IResource',
        'BadRequestTargetError',
        'CookieTemplate',
        'ErrorPage',
        'HTTP_METHODS',
        'Inspector',
        'InvalidChildResourceError',
        'InvalidChildSegmentError',
        'InvalidCookieError',
        'InvalidOptionError',
        'ListenError',
        'MethodNotAllowedError',
        'MethodNotImplementedError',
        'NoResource',
        'RenderResultError',
        'Request',
        'RequestTooLargeError',
        'Resource',
        'SessionClosedError',
        'SessionPropertyError',
        'SessionsNotConfiguredError',
        'Site',
        'SiteStateError',
        'UnsupportedMediaTypeError',
        'WebError',
        'allowedMethods',
        'combinedLogLine',
        'dovetailSessions',
        'jsonLogLine',
        'errorStatus',
        'getChildForRequest',
        'parseCookieHeader',
        'serializeCookie',
        'sessionPath',
        'validateCookieOptions',
      ].sort(),
    );
  });
});
