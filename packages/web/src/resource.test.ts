import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import { InvalidChildResourceError, InvalidChildSegmentError } from './errors.js';
import { MethodNotAllowedError } from './request-errors.js';
import { Request } from './request.js';
import { ErrorPage, NoResource, Resource, allowedMethods, getChildForRequest } from './resource.js';

function fakeRequest(url: string, method = 'GET'): Request {
  const req = new IncomingMessage(new Socket());
  req.url = url;
  req.method = method;
  return new Request(req, new ServerResponse(req));
}

class Page extends Resource {
  renderGET(): string {
    return 'page';
  }
}

class Form extends Resource {
  renderGET(): string {
    return 'form';
  }
  renderPOST(): string {
    return 'posted';
  }
  renderDELETE(): string {
    return 'gone';
  }
}

class Leaf extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string[] {
    return request.postpath;
  }
}

describe('Resource#putChild', () => {
  it('a string segment → found by getChildWithDefault', () => {
    const root = new Resource();
    const page = new Page();
    root.putChild('page', page);
    expect(root.getChildWithDefault('page', fakeRequest('/page'))).toBe(page);
    expect(root.children.get('page')).toBe(page);
  });

  it.each([[42], [Buffer.from('x')], [null], ['a/b']])('segment %p → InvalidChildSegmentError (a TypeError with code)', (segment) => {
    const root = new Resource();
    let error: unknown;
    try {
      root.putChild(segment as string, new Page());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidChildSegmentError);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as InvalidChildSegmentError).code).toBe('DT_WEB_INVALID_CHILD_SEGMENT');
  });

  it('a child that is not a Resource → InvalidChildResourceError', () => {
    expect(() => new Resource().putChild('x', {} as Resource)).toThrow(InvalidChildResourceError);
  });
});

describe('Resource#getChild', () => {
  it('unknown segment → a 404 NoResource', () => {
    const child = new Resource().getChildWithDefault('nope', fakeRequest('/nope'));
    expect(child).toBeInstanceOf(NoResource);
    expect((child as ErrorPage).status).toBe(404);
    expect(child.isLeaf).toBe(true);
  });
});

describe('getChildForRequest', () => {
  it('/a/b → walks a then b; prepath [a, b], postpath []', () => {
    const root = new Resource();
    const a = new Resource();
    const b = new Page();
    root.putChild('a', a);
    a.putChild('b', b);
    const request = fakeRequest('/a/b');
    expect(getChildForRequest(root, request)).toBe(b);
    expect(request.prepath).toEqual(['a', 'b']);
    expect(request.postpath).toEqual([]);
  });

  it('a leaf → stops there and leaves the rest in postpath', () => {
    const root = new Resource();
    const leaf = new Leaf();
    root.putChild('files', leaf);
    const request = fakeRequest('/files/x/y%20z?q=1');
    expect(getChildForRequest(root, request)).toBe(leaf);
    expect(request.prepath).toEqual(['files']);
    expect(request.postpath).toEqual(['x', 'y z']);
  });

  it('/ → the child named "" (Twisted), else 404', () => {
    const root = new Resource();
    expect(getChildForRequest(root, fakeRequest('/'))).toBeInstanceOf(NoResource);
    const index = new Page();
    root.putChild('', index);
    expect(getChildForRequest(root, fakeRequest('/'))).toBe(index);
  });

  it('an encoded slash → one decoded segment', () => {
    const request = fakeRequest('/a%2Fb/c');
    expect(request.postpath).toEqual(['a/b', 'c']);
  });

  it('a malformed escape → the segment as sent', () => {
    expect(fakeRequest('/a%zz').postpath).toEqual(['a%zz']);
  });

  it('absolute-form target → its path', () => {
    expect(fakeRequest('http://example.com/x/y?q').postpath).toEqual(['x', 'y']);
  });
});

describe('Resource#render', () => {
  it('GET → renderGET', () => {
    expect(new Page().render(fakeRequest('/', 'GET'))).toBe('page');
  });

  it('HEAD without renderHEAD → renderGET', () => {
    expect(new Page().render(fakeRequest('/', 'HEAD'))).toBe('page');
  });

  it('POST on a GET-only resource → MethodNotAllowedError listing GET, HEAD', () => {
    let error: unknown;
    try {
      void new Page().render(fakeRequest('/', 'POST'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MethodNotAllowedError);
    expect((error as MethodNotAllowedError).status).toBe(405);
    expect((error as MethodNotAllowedError).allowed).toEqual(['GET', 'HEAD']);
    expect((error as Error).message).toContain('Page');
  });

  it('a plain Resource → nothing allowed', () => {
    expect(() => new Resource().render(fakeRequest('/'))).toThrow(MethodNotAllowedError);
    expect(allowedMethods(new Resource())).toEqual([]);
  });
});

describe('allowedMethods', () => {
  it('GET, POST, DELETE handlers → GET, HEAD, POST, DELETE in that order', () => {
    expect(allowedMethods(new Form())).toEqual(['GET', 'HEAD', 'POST', 'DELETE']);
  });

  it('two instances of one class → the same list object (computed once per class)', () => {
    expect(allowedMethods(new Form())).toBe(allowedMethods(new Form()));
  });
});

describe('ErrorPage#render', () => {
  it('any method → its status and an escaped page', () => {
    const request = fakeRequest('/', 'DELETE');
    const body = new ErrorPage(410, 'Gone', '<b>removed</b>').render(request);
    expect(request.code).toBe(410);
    expect(body).toContain('&lt;b&gt;removed&lt;/b&gt;');
  });
});

describe('Resource contract', () => {
  it('a Resource and a subclass → provide IResource, every member present', async () => {
    const { verifyObject } = await import('@dovetail/interfaces');
    const { IResource } = await import('./contracts.js');
    expect(verifyObject(IResource, new Resource())).toBe(true);
    expect(verifyObject(IResource, new Page())).toBe(true);
  });
});
