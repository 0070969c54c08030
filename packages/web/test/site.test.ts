import { createServer } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { ListenError, SiteStateError, type WebError } from '../src/errors.js';
import { Resource } from '../src/resource.js';
import { Site } from '../src/site.js';
import { raw, recordingLogger, serve } from './helpers.js';
import type { Request } from '../src/request.js';

class Page extends Resource {
  renderGET(): string {
    return '<p>hello</p>';
  }
}

class Kinds extends Resource {
  override isLeaf = true;
  async renderGET(request: Request): Promise<unknown> {
    switch (request.postpath[0]) {
      case 'string': return 'text';
      case 'bytes': return new Uint8Array([1, 2, 3]);
      case 'json': return { a: 1, b: [true, null] };
      case 'empty': return undefined;
      case 'plain':
        request.setHeader('Content-Type', 'text/plain; charset=utf-8');
        return 'plain';
      case 'stream': return Readable.from(['a', 'b', 'c']);
      case 'iter': return (async function* () { yield 'x'; yield new TextEncoder().encode('y'); })();
      case 'bigint': return { n: 1n };
      case 'nocontent':
        request.setResponseCode(204);
        return null;
      case 'redirect':
        request.redirect('/elsewhere', 303);
        return;
      default: return 'default';
    }
  }
}

class Thrower extends Resource {
  override isLeaf = true;
  renderGET(request: Request): never {
    switch (request.postpath[0]) {
      case 'busy': throw Object.assign(new Error('busy'), { status: 503, retryAfter: 2.5 });
      case 'teapot': throw Object.assign(new Error('short and stout'), { status: 418 });
      default: throw new Error('<secret> kaboom');
    }
  }
}

class AsyncThrower extends Resource {
  async renderGET(): Promise<string> {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('later kaboom');
  }
}

function tree(): Resource {
  const root = new Resource();
  root.putChild('page', new Page());
  root.putChild('kinds', new Kinds());
  root.putChild('throw', new Thrower());
  root.putChild('async-throw', new AsyncThrower());
  return root;
}

describe('Site#handler rendering', () => {
  it('a string → 200 text/html; charset=utf-8 with Content-Length', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/page`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-length')).toBe('12');
    expect(await res.text()).toBe('<p>hello</p>');
  });

  it('bytes → application/octet-stream', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/bytes`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('an object → JSON with application/json', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/json`);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ a: 1, b: [true, null] });
  });

  it('undefined → 200 with an empty body and Content-Length: 0', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/empty`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect(await res.text()).toBe('');
  });

  it('a content type set by the handler → kept', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/plain`);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  });

  it('a Readable → streamed (chunked)', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/stream`);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(await res.text()).toBe('abc');
  });

  it('an async iterable of strings and bytes → streamed', async () => {
    const { url } = await serve(tree());
    expect(await (await fetch(`${url}/kinds/iter`)).text()).toBe('xy');
  });

  it('a value JSON cannot encode → 500, reported', async () => {
    const { url, errors } = await serve(tree());
    const res = await fetch(`${url}/kinds/bigint`);
    expect(res.status).toBe(500);
    expect((errors[0] as WebError).code).toBe('DT_WEB_BAD_RENDER_RESULT');
  });

  it('204 → no body, no Content-Length', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/nocontent`);
    expect(res.status).toBe(204);
    expect(res.headers.get('content-length')).toBeNull();
  });

  it('redirect(url, 303) → 303 with Location', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/kinds/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/elsewhere');
  });
});

describe('Site#handler methods', () => {
  it('HEAD on a GET resource → headers of GET, no body', async () => {
    const { port } = await serve(tree());
    const answer = await raw(port, 'HEAD /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(answer).toMatch(/content-length: 12/i);
    expect(answer.endsWith('\r\n\r\n')).toBe(true);
  });

  it('POST on a GET-only resource → 405 with Allow: GET, HEAD', async () => {
    const { url, errors } = await serve(tree());
    const res = await fetch(`${url}/page`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(errors).toEqual([]);
  });

  it('an unknown method → 501 Not Implemented', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/page`, { method: 'PROPFIND' });
    expect(res.status).toBe(501);
  });

  it('an unknown path → 404 page', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/nope/deeper`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('No Such Resource');
  });

  it('a request target that is not a path → 400', async () => {
    const { port } = await serve(tree());
    const answer = await raw(port, 'GET foo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('Site#handler errors', () => {
  it('a thrown error → 500 page without the message or stack', async () => {
    const { url, errors } = await serve(tree());
    const res = await fetch(`${url}/throw`);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toContain('500 Internal Server Error');
    expect(body).not.toContain('kaboom');
    expect(body).not.toContain('at ');
    expect(errors).toHaveLength(1);
  });

  it('a rejected promise → 500', async () => {
    const { url } = await serve(tree());
    expect((await fetch(`${url}/async-throw`)).status).toBe(500);
  });

  it('displayTracebacks → the stack, escaped', async () => {
    const { url } = await serve(tree(), { displayTracebacks: true });
    const body = await (await fetch(`${url}/throw`)).text();
    expect(body).toContain('&lt;secret&gt; kaboom');
    expect(body).toContain('at ');
    expect(body).not.toContain('<secret>');
  });

  it('an error with status 503 and retryAfter → 503 with Retry-After (rounded up)', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/throw/busy`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('an error with status 418 → 418 with its message', async () => {
    const { url, errors } = await serve(tree());
    const res = await fetch(`${url}/throw/teapot`);
    expect(res.status).toBe(418);
    expect(await res.text()).toContain('short and stout');
    expect(errors).toEqual([]);
  });

  it('garbage on the socket → 400 from node, the server keeps serving', async () => {
    const { port, url } = await serve(tree());
    const answer = await raw(port, 'GARBAGE\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${url}/page`)).status).toBe(200);
  });

  it('a huge header → 431, the server keeps serving', async () => {
    const { port, url } = await serve(tree());
    const answer = await raw(port, `GET /page HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431/);
    expect((await fetch(`${url}/page`)).status).toBe(200);
  });
});

describe('Site#listen', () => {
  it('port 0 → a free port, the bound address', async () => {
    const { site, port } = await serve(tree());
    expect(port).toBeGreaterThan(0);
    expect(site.server?.listening).toBe(true);
  });

  it('a busy port → ListenError naming the port and what to do', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const site = new Site(tree(), { logger: recordingLogger() });
      const error = await site.listen(port).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ListenError);
      expect((error as ListenError).code).toBe('DT_WEB_LISTEN_FAILED');
      expect((error as Error).message).toContain(`port ${port} is already in use`);
      expect((error as Error).message).toContain('pass 0');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('listen twice → SiteStateError', async () => {
    const { site } = await serve(tree());
    await expect(site.listen(0)).rejects.toBeInstanceOf(SiteStateError);
  });
});

describe('Site#close', () => {
  it('an in-flight request → finishes before close resolves', async () => {
    let release!: () => void;
    let started!: () => void;
    const startedP = new Promise<void>((r) => (started = r));
    class Slow extends Resource {
      async renderGET(): Promise<string> {
        started();
        await new Promise<void>((r) => (release = r));
        return 'done';
      }
    }
    const root = new Resource();
    root.putChild('slow', new Slow());
    const { site, url } = await serve(root);
    const pending = fetch(`${url}/slow`);
    await startedP;
    let closed = false;
    const closing = site.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(closed).toBe(false);
    release();
    const res = await pending;
    expect(await res.text()).toBe('done');
    expect(res.headers.get('connection')).toBe('close');
    await closing;
    expect(closed).toBe(true);
    expect(site.server?.listening).toBe(false);
  });

  it('an idle keep-alive connection → closed, close resolves promptly', async () => {
    const { site, url } = await serve(tree());
    await (await fetch(`${url}/page`)).text(); // leaves a keep-alive socket in fetch's pool
    const t0 = Date.now();
    await site.close();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('close twice → both resolve', async () => {
    const { site } = await serve(tree());
    await Promise.all([site.close(), site.close()]);
  });
});

describe('new Site', () => {
  it('a root that is not a Resource → InvalidOptionError', () => {
    expect(() => new Site({} as Resource)).toThrow(TypeError);
  });

  it('a negative maxBodyBytes → InvalidOptionError', () => {
    expect(() => new Site(new Resource(), { maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
  });
});

