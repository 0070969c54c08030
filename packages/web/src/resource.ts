/**
 * `Resource`: a node of the resource tree (Twisted's `twisted.web.resource.Resource`), its
 * traversal (`getChildForRequest`) and method dispatch (`renderGET`, `renderPOST`, …).
 *
 * @module
 */
import { implementer } from '@dovetail/interfaces';
import { IResource, type RenderReturn, type ResourceContract } from './contracts.js';
import { InvalidChildResourceError, InvalidChildSegmentError } from './errors.js';
import { errorPage, reasonPhrase } from './internal/html.js';
import { MethodNotAllowedError } from './request-errors.js';
import type { Request } from './request.js';

/** The methods a Site serves and a Resource can handle, in the order `Allow` lists them; any other is answered 501. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

type RenderName = `render${HttpMethod}`;
type Handler = (this: Resource, request: Request) => RenderReturn;
type Handlers = { [K in RenderName]?: Handler };

/**
 * The one methods table: each served method → the render methods that answer it, the first one
 * present wins (HEAD falls back to `renderGET`; the Site drops the body). It drives the 501
 * check ({@link isHttpMethod}), `render` and `Allow`.
 */
const RENDERERS: ReadonlyMap<string, readonly RenderName[]> = new Map(
  HTTP_METHODS.map((m): [string, readonly RenderName[]] => [m, m === 'HEAD' ? ['renderHEAD', 'renderGET'] : [`render${m}`]]),
);

/** Whether the Site serves `method` at all (one of {@link HTTP_METHODS}); the others are answered 501. */
export function isHttpMethod(method: string): method is HttpMethod {
  return RENDERERS.has(method);
}

/** The handler answering `method` on `h`, or undefined. */
function handlerFor(h: Handlers, method: string): Handler | undefined {
  const names = RENDERERS.get(method);
  if (names === undefined) return undefined;
  for (let i = 0; i < names.length; i++) {
    const handler = h[names[i]!];
    if (typeof handler === 'function') return handler;
  }
  return undefined;
}

/** Per class: the methods its instances handle, and the `Allow` list. Computed on a class's first 405. */
const allowedByClass = new WeakMap<object, readonly string[]>();

/**
 * The methods `resource` handles, as listed in `Allow`: each `render<METHOD>` method it has, plus
 * HEAD wherever GET is. Computed once per class.
 *
 * @example
 * ```ts
 * class Page extends Resource { renderGET() { return 'hi'; } }
 * allowedMethods(new Page()); // ['GET', 'HEAD']
 * ```
 */
export function allowedMethods(resource: Resource): readonly string[] {
  const proto = Object.getPrototypeOf(resource) as object;
  let allowed = allowedByClass.get(proto);
  if (allowed === undefined) {
    const h = resource as unknown as Handlers;
    allowed = Object.freeze(HTTP_METHODS.filter((m) => handlerFor(h, m) !== undefined));
    allowedByClass.set(proto, allowed);
  }
  return allowed;
}

/**
 * A node of the resource tree. Subclass it and add `renderGET(request)`, `renderPOST(request)`,
 * … methods; add children with `putChild`, or compute them in `getChild`.
 *
 * @example
 * ```ts
 * class CounterPage extends Resource {
 *   async renderGET(request: Request) {
 *     const counter = await request.getSession(ICounter);
 *     counter.value += 1;
 *     return `<p>Visit #${counter.value}</p>`;
 *   }
 * }
 * const root = new Resource();
 * root.putChild('counter', new CounterPage());
 * ```
 */
@implementer(IResource)
export class Resource implements ResourceContract {
  /** Static children by decoded path segment. */
  readonly children: Map<string, Resource>;
  /**
   * A leaf gets the rest of the path in `request.postpath` instead of being traversed further.
   * @default false
   */
  isLeaf: boolean;

  constructor() {
    this.children = new Map();
    this.isLeaf = false;
  }

  /**
   * Adds a static child under one decoded path segment (`''` is the child for a trailing slash).
   *
   * @throws {InvalidChildSegmentError} `DT_WEB_INVALID_CHILD_SEGMENT` when `segment` is not a string or contains "/".
   * @throws {InvalidChildResourceError} `DT_WEB_INVALID_CHILD` when `child` is not a Resource.
   * @example
   * ```ts
   * root.putChild('about', new AboutPage());
   * ```
   */
  putChild(segment: string, child: Resource): void {
    if (typeof segment !== 'string' || segment.includes('/')) throw new InvalidChildSegmentError(segment);
    if (!(child instanceof Resource)) throw new InvalidChildResourceError(segment, child);
    this.children.set(segment, child);
  }

  /**
   * The child for a segment that is not in `children`; override it for dynamic children.
   *
   * @returns by default a 404 resource
   * @example
   * ```ts
   * getChild(segment: string) { return /^\d+$/.test(segment) ? new ItemPage(Number(segment)) : super.getChild(segment); }
   * ```
   */
  getChild(_segment: string, _request: Request): Resource {
    return NOT_FOUND;
  }

  /**
   * `children.get(segment)`, else `getChild(segment, request)`: the step traversal takes.
   *
   * @example
   * ```ts
   * root.getChildWithDefault('counter', request);
   * ```
   */
  getChildWithDefault(segment: string, request: Request): Resource {
    return this.children.get(segment) ?? this.getChild(segment, request);
  }

  /**
   * Renders the request by calling `render<METHOD>`; HEAD uses `renderGET` when there is no
   * `renderHEAD` (the Site drops the body).
   *
   * @throws {MethodNotAllowedError} `DT_WEB_METHOD_NOT_ALLOWED` (405, with `Allow`) when there is no handler.
   * @example
   * ```ts
   * class Echo extends Resource { renderPOST(request: Request) { return request.json(); } }
   * ```
   */
  render(request: Request): RenderReturn {
    const handler = handlerFor(this as unknown as Handlers, request.method);
    if (handler === undefined) {
      throw new MethodNotAllowedError(request.method, allowedMethods(this), describeResource(this));
    }
    return handler.call(this, request);
  }
}

/**
 * A leaf that answers every method with one error status and a short HTML page.
 *
 * @example
 * ```ts
 * root.putChild('old', new ErrorPage(410, 'Gone', 'This page was removed.'));
 * ```
 */
export class ErrorPage extends Resource {
  /** The status answered. */
  readonly status: number;
  /** The title, e.g. `'No Such Resource'`. */
  readonly brief: string;
  /** The text under the title (escaped when rendered). */
  readonly detail: string;

  constructor(status: number, brief: string = reasonPhrase(status), detail = '') {
    super();
    this.isLeaf = true;
    this.status = status;
    this.brief = brief;
    this.detail = detail;
  }

  /** Answers `status` with the page, whatever the method. */
  override render(request: Request): string {
    request.setResponseCode(this.status);
    return errorPage(this.status, this.brief, this.detail);
  }

  /** An error page has no children: itself for any segment. */
  override getChild(_segment: string, _request: Request): Resource {
    return this;
  }
}

/**
 * The 404 resource (Twisted's `NoResource`): what `getChild` gives for an unknown segment.
 *
 * @example
 * ```ts
 * getChild(segment: string) { return this.items.has(segment) ? this.items.get(segment)! : new NoResource(); }
 * ```
 */
export class NoResource extends ErrorPage {
  constructor(detail = 'Sorry. No luck finding that resource.') {
    super(404, 'No Such Resource', detail);
  }
}

const NOT_FOUND = new NoResource();

/**
 * Traverses from `resource` along `request.postpath` (Twisted's `getChildForRequest`): while
 * segments remain and the resource is not a leaf, moves one segment from `postpath` to
 * `prepath` and steps to `getChildWithDefault(segment)`.
 *
 * @returns the resource that renders the request
 * @example
 * ```ts
 * const leaf = getChildForRequest(root, request); // '/counter' → the CounterPage
 * ```
 */
export function getChildForRequest(resource: Resource, request: Request): Resource {
  const postpath = request.postpath;
  while (postpath.length > 0 && !resource.isLeaf) {
    const segment = postpath.shift()!;
    request.prepath.push(segment);
    resource = resource.getChildWithDefault(segment, request);
  }
  return resource;
}

function describeResource(resource: Resource): string {
  const name = (Object.getPrototypeOf(resource) as { constructor?: { name?: string } }).constructor?.name;
  return name ? `${name}` : 'this resource';
}
