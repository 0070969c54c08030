/**
 * The errors of a request the client got wrong — its method, target, size, body or media type —
 * each answered with its 4xx status.
 *
 * @module
 */
import { describe } from '@dovetail/interfaces/internal';
import { WebError } from './errors.js';

/**
 * The resource has no handler for the request's method: answered 405 with `Allow`.
 *
 * @example
 * ```ts
 * // POST on a resource with only renderGET → 405, Allow: GET, HEAD
 * ```
 */
export class MethodNotAllowedError extends WebError {
  override readonly name = 'MethodNotAllowedError' as const;
  readonly code = 'DT_WEB_METHOD_NOT_ALLOWED' as const;
  readonly status = 405;
  /**
   * @param method - the request's method
   * @param allowed - the methods the resource answers
   * @param resource - the resource, described
   */
  constructor(
    readonly method: string,
    readonly allowed: readonly string[],
    readonly resource: string,
  ) {
    super(
      `${method} is not allowed on ${resource}; it answers ${allowed.join(', ') || 'no method'}. ` +
        `Add a render${method}() method to the resource class to accept ${method}.`,
    );
  }
}

/**
 * The request's method is not one the Site knows (GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS):
 * answered 501, as Twisted does.
 *
 * @example
 * ```ts
 * // `PROPFIND /` → 501 Not Implemented
 * ```
 */
export class MethodNotImplementedError extends WebError {
  override readonly name = 'MethodNotImplementedError' as const;
  readonly code = 'DT_WEB_METHOD_NOT_IMPLEMENTED' as const;
  readonly status = 501;
  /**
   * @param method - the request's method
   * @param served - the methods the Site serves
   */
  constructor(
    readonly method: string,
    readonly served: readonly string[],
  ) {
    super(`This server does not serve the method ${JSON.stringify(method)}; it serves ${served.join(', ')}. Send one of those.`);
  }
}

/**
 * The request target cannot be served (not an origin-form or absolute-form path): answered 400.
 *
 * @example
 * ```ts
 * // `GET foo HTTP/1.1` → 400 Bad Request
 * ```
 */
export class BadRequestTargetError extends WebError {
  override readonly name = 'BadRequestTargetError' as const;
  readonly code = 'DT_WEB_BAD_REQUEST_TARGET' as const;
  readonly status = 400;
  /**
   * @param target - the request target as received
   */
  constructor(readonly target: string) {
    super(`The request target ${describe(target)} is not a path; send a target that starts with "/".`);
  }
}

/**
 * The request body is larger than the Site's `maxBodyBytes`: answered 413.
 *
 * @example
 * ```ts
 * new Site(root, { maxBodyBytes: 10 * 1024 * 1024 }); // raise the limit for uploads
 * ```
 */
export class RequestTooLargeError extends WebError {
  override readonly name = 'RequestTooLargeError' as const;
  readonly code = 'DT_WEB_REQUEST_TOO_LARGE' as const;
  readonly status = 413;
  /**
   * @param limit - the Site's `maxBodyBytes`
   * @param received - how many bytes had arrived when the limit was passed
   * @param options - `cause`, when there is one
   */
  constructor(
    readonly limit: number,
    readonly received: number,
    options?: ErrorOptions,
  ) {
    super(
      `The request body is larger than the limit of ${limit} bytes (at least ${received} bytes were sent). ` +
        `Send a smaller body, or raise the Site's maxBodyBytes option.`,
      options,
    );
  }
}

/**
 * The request body could not be read as asked (`json()` on text that is not JSON, a body that
 * ended early): answered 400.
 *
 * @example
 * ```ts
 * const data = await request.json(); // body `{oops` → 400, code DT_WEB_BAD_REQUEST_BODY
 * ```
 */
export class BadRequestBodyError extends WebError {
  override readonly name = 'BadRequestBodyError' as const;
  readonly code = 'DT_WEB_BAD_REQUEST_BODY' as const;
  readonly status = 400;
  /**
   * @param expected - what the body should have been (e.g. JSON)
   * @param problem - what was wrong with it
   */
  constructor(
    readonly expected: string,
    readonly problem: string,
    options?: ErrorOptions,
  ) {
    super(`The request body should be ${expected}, but ${problem}. Send a well-formed body.`, options);
  }
}

/**
 * `form()` was called on a body of a type it does not decode (only
 * `application/x-www-form-urlencoded`): answered 415.
 *
 * @example
 * ```ts
 * // a multipart/form-data upload: read request.body() and decode it with a multipart parser
 * ```
 */
export class UnsupportedMediaTypeError extends WebError {
  override readonly name = 'UnsupportedMediaTypeError' as const;
  readonly code = 'DT_WEB_UNSUPPORTED_MEDIA_TYPE' as const;
  readonly status = 415;
  /**
   * @param contentType - the request's `Content-Type`
   * @param supported - the type the reader accepts
   */
  constructor(
    readonly contentType: string,
    readonly supported: string,
  ) {
    super(
      `The request body is ${describe(contentType)}, which cannot be read here; expected ${supported}. ` +
        `For other types read request.body() and decode it yourself.`,
    );
  }
}
