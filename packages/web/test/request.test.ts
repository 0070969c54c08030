import { describe, expect, it } from '@jest/globals';
import { Resource } from '../src/resource.js';
import { raw, serve } from './helpers.js';
import type { Request } from '../src/request.js';

/** Answers with what the request saw, as JSON. */
class Inspect extends Resource {
  override isLeaf = true;
  renderGET(request: Request): unknown {
    const first = request.cookies;
    return {
      method: request.method,
      path: request.path,
      prepath: request.prepath,
      postpath: request.postpath,
      query: request.query.getAll('a'),
      cookies: { ...request.cookies },
      cookiesCached: first === request.cookies,
      secure: request.isSecure,
      host: request.getHeader('Host'),
      accept: request.headers['accept'],
    };
  }
}

class Body extends Resource {
  override isLeaf = true;
  async renderPOST(request: Request): Promise<unknown> {
    switch (request.postpath[0]) {
      case 'json': return { got: await request.json() };
      case 'form': return Object.fromEntries(await request.form());
      case 'twice': {
        const a = await request.body();
        const b = await request.body();
        return { same: a === b, length: a.length };
      }
      default: return { length: (await request.body()).length };
    }
  }
}

class Cookies extends Resource {
  renderGET(request: Request): string {
    request.addCookie('theme', 'dark mode', { maxAge: 60 });
    request.addCookie('lang', 'en');
    return 'ok';
  }
}

class State extends Resource {
  renderGET(request: Request): unknown {
    const before = Object.keys(request.state).length;
    (request.state as Record<string, unknown>).user = 'ada';
    return { before, same: request.state === request.state };
  }
}

declare module '../src/request.js' {
  interface RequestState {
    user: string;
  }
}

interface Seen {
  cookies: Record<string, string>;
  cookiesCached: boolean;
  secure: boolean;
  host: string;
}

async function seenAt(url: string, init?: RequestInit): Promise<Seen> {
  return (await (await fetch(url, init)).json()) as Seen;
}

function tree(): Resource {
  const root = new Resource();
  const app = new Resource();
  root.putChild('app', app);
  app.putChild('inspect', new Inspect());
  root.putChild('body', new Body());
  root.putChild('cookies', new Cookies());
  root.putChild('state', new State());
  return root;
}

describe('Request fields', () => {
  it('/app/inspect/x%20y/z?a=1&a=2 → prepath, decoded postpath, query', async () => {
    const { url } = await serve(tree());
    const seen = await seenAt(`${url}/app/inspect/x%20y/z?a=1&a=2`);
    expect(seen).toMatchObject({
      method: 'GET',
      path: '/app/inspect/x%20y/z',
      prepath: ['app', 'inspect'],
      postpath: ['x y', 'z'],
      query: ['1', '2'],
    });
  });

  it('a Cookie header → parsed once, values decoded', async () => {
    const { url } = await serve(tree());
    const seen = await seenAt(`${url}/app/inspect`, { headers: { cookie: 'a=1; b=x%20y' } });
    expect(seen.cookies).toEqual({ a: '1', b: 'x y' });
    expect(seen.cookiesCached).toBe(true);
  });

  it('a malformed Cookie header → no error, what could be read', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/app/inspect`, { headers: { cookie: ';;=;==;a=%%%; "b=\\"; c=ok' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Seen).cookies.c).toBe('ok');
  });

  it('a 12 KiB Cookie header (node accepts up to 16 KiB) → every cookie read', async () => {
    const { url } = await serve(tree());
    const seen = await seenAt(`${url}/app/inspect`, { headers: { cookie: `big=${'x'.repeat(12 * 1024)}; a=1` } });
    expect(seen.cookies.a).toBe('1');
    expect(seen.cookies.big).toHaveLength(12 * 1024);
  });

  it('getHeader → the request header, any case', async () => {
    const { url, port } = await serve(tree());
    const seen = await seenAt(`${url}/app/inspect`);
    expect(seen.host).toBe(`127.0.0.1:${port}`);
  });

  it('X-Forwarded-Proto: https without trustProxy → not secure', async () => {
    const { url } = await serve(tree());
    const seen = await seenAt(`${url}/app/inspect`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(seen.secure).toBe(false);
  });

  it('X-Forwarded-Proto: https with trustProxy → secure', async () => {
    const { url } = await serve(tree(), { trustProxy: true });
    const seen = await seenAt(`${url}/app/inspect`, { headers: { 'x-forwarded-proto': 'HTTPS, http' } });
    expect(seen.secure).toBe(true);
  });

  it('state → created once, typed by declaration merging', async () => {
    const { url } = await serve(tree());
    expect(await (await fetch(`${url}/state`)).json()).toEqual({ before: 0, same: true });
  });
});

describe('Request#body', () => {
  it('twice → the same Buffer', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/body/twice`, { method: 'POST', body: 'hello' });
    expect(await res.json()).toEqual({ same: true, length: 5 });
  });

  it('a Content-Length above maxBodyBytes → 413 without reading, Connection: close', async () => {
    const { url } = await serve(tree(), { maxBodyBytes: 10 });
    const res = await fetch(`${url}/body`, { method: 'POST', body: 'x'.repeat(11) });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
  });

  it('a chunked body growing past maxBodyBytes → 413', async () => {
    const { port } = await serve(tree(), { maxBodyBytes: 10 });
    const answer = await raw(
      port,
      'POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
  });

  it('a body at the limit → read', async () => {
    const { url } = await serve(tree(), { maxBodyBytes: 10 });
    expect(await (await fetch(`${url}/body`, { method: 'POST', body: 'x'.repeat(10) })).json()).toEqual({ length: 10 });
  });
});

describe('Request#json', () => {
  it('valid JSON → parsed', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/body/json`, { method: 'POST', body: '{"a":[1,2]}' });
    expect(await res.json()).toEqual({ got: { a: [1, 2] } });
  });

  it('bad JSON → 400 naming the problem', async () => {
    const { url, errors } = await serve(tree());
    const res = await fetch(`${url}/body/json`, { method: 'POST', body: '{oops' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not valid JSON');
    expect(errors).toEqual([]);
  });
});

describe('Request#form', () => {
  it('urlencoded → the fields', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/body/form`, { method: 'POST', body: new URLSearchParams({ title: 'a b', n: '1' }) });
    expect(await res.json()).toEqual({ title: 'a b', n: '1' });
  });

  it('multipart → 415', async () => {
    const { url } = await serve(tree());
    const form = new FormData();
    form.set('a', '1');
    expect((await fetch(`${url}/body/form`, { method: 'POST', body: form })).status).toBe(415);
  });
});

describe('Request#addCookie', () => {
  it('two cookies → two Set-Cookie headers with the defaults', async () => {
    const { url } = await serve(tree());
    const res = await fetch(`${url}/cookies`);
    expect(res.headers.getSetCookie()).toEqual([
      'theme=dark%20mode; Max-Age=60; Path=/; HttpOnly; SameSite=Lax',
      'lang=en; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });
});
