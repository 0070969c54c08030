/**
 * Reads a request body into one Buffer, bounded, and parses it as JSON or as a form. Internal:
 * never re-exported.
 */
import { BadRequestBodyError, RequestTooLargeError, UnsupportedMediaTypeError } from '../request-errors.js';
import type { IncomingMessage } from 'node:http';

/**
 * Reads the whole body of `req`. Rejects with RequestTooLargeError as soon as the declared
 * Content-Length or the bytes received pass `limit` (reading stops there), and with
 * BadRequestBodyError when the client goes away before the end.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    const n = Number(declared);
    if (n > limit) return Promise.reject(new RequestTooLargeError(limit, n));
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new RequestTooLargeError(limit, size));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (cause: Error): void => {
      cleanup();
      reject(new BadRequestBodyError('complete', `reading it failed (${cause.message})`, { cause }));
    };
    const onClose = (): void => {
      if (req.readableEnded) return;
      cleanup();
      reject(new BadRequestBodyError('complete', 'the client closed the connection before sending all of it'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** `body` parsed as JSON (UTF-8). @throws {BadRequestBodyError} for a body that is not JSON. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new BadRequestBodyError('JSON', `it is not valid JSON (${(cause as Error).message})`, { cause });
  }
}

/**
 * Checks that a body of content type `type` is an `application/x-www-form-urlencoded` form.
 * @throws {UnsupportedMediaTypeError} for another content type (e.g. multipart).
 */
export function checkFormType(type: string | undefined): void {
  if (type !== undefined && !/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError(type, 'application/x-www-form-urlencoded');
  }
}
