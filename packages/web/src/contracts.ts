/**
 * The web layer's contract (Twisted's `IResource`): what the Site needs of every node of the
 * resource tree, first as a TypeScript type, then as the run-time interface typed by it.
 * `Resource` implements both; the tests check it with `verifyObject`. Like zope's
 * interfaces.py, this module imports no implementation.
 */
import { Attribute, defineInterface, Method } from '@dovetail/interfaces';
import type { Request } from './request.js';
import type { Readable } from 'node:stream';

/**
 * What a render method may return: a string (sent as `text/html; charset=utf-8` unless a
 * content type was set), bytes (`application/octet-stream`), a Readable or async iterable of
 * chunks (streamed), `null`/`undefined` (empty body), or any other value (sent as JSON).
 */
export type RenderResult =
  | string
  | Uint8Array
  | Readable
  | AsyncIterable<Uint8Array | string>
  | object
  | number
  | boolean
  | null
  | undefined;

/** A render result, or a promise of one. */
export type RenderReturn = RenderResult | Promise<RenderResult>;

/** What the Site needs of a node of the resource tree (the type behind {@link IResource}). */
export interface ResourceContract {
  /** True when traversal stops here; the rest of the path stays in `request.postpath`. */
  isLeaf: boolean;
  /** Adds a child under a path segment. */
  putChild(segment: string, child: ResourceContract): void;
  /** The child for a segment not put with `putChild`. */
  getChild(segment: string, request: Request): ResourceContract;
  /** The child put under a segment, else `getChild`. */
  getChildWithDefault(segment: string, request: Request): ResourceContract;
  /** Answers the request. */
  render(request: Request): RenderReturn;
}

/** Twisted's `IResource`: a node of the resource tree. */
export const IResource = defineInterface<ResourceContract>('dovetail.web.IResource', {
  doc: 'A node of the resource tree: traversed by path segment, rendered by method.',
  members: {
    isLeaf: Attribute('True when traversal stops here; the rest of the path stays in request.postpath.'),
    putChild: Method('Add a child under a path segment.', { params: ['segment', 'child'] }),
    getChild: Method('The child for a segment not put with putChild (default: 404).', { params: ['segment', 'request'] }),
    getChildWithDefault: Method('The child put under a segment, else getChild.', { params: ['segment', 'request'] }),
    render: Method('Answer the request (dispatches to renderGET, renderPOST, …).', { params: ['request'] }),
  },
});
