/**
 * The web layer's contract as an interface (Twisted's `IResource`): what the Site needs of
 * every node of the resource tree. `Resource` declares it; the tests check it with `verifyObject`.
 */
import { Attribute, defineInterface, Method } from '@dovetail/interfaces';
import type { Resource } from './resource.js';

/** Twisted's `IResource`: a node of the resource tree. */
export const IResource = defineInterface<Resource>('dovetail.web.IResource', {
  doc: 'A node of the resource tree: traversed by path segment, rendered by method.',
  members: {
    isLeaf: Attribute('True when traversal stops here; the rest of the path stays in request.postpath.'),
    putChild: Method('Add a child under a path segment.', { params: ['segment', 'child'] }),
    getChild: Method('The child for a segment not put with putChild (default: 404).', { params: ['segment', 'request'] }),
    getChildWithDefault: Method('The child put under a segment, else getChild.', { params: ['segment', 'request'] }),
    render: Method('Answer the request (dispatches to renderGET, renderPOST, …).', { params: ['request'] }),
  },
});
