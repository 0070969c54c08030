// A root resource for `dovetail serve` tests with several workers: it counts visits in the
// session and says which process answered (the CLI tests run it from this compiled-free file).
import { Resource } from '@dovetail/web';

class PidCounter extends Resource {
  isLeaf = true;

  async renderGET(request) {
    const session = await request.getSession();
    const n = (session.get('n') ?? 0) + 1;
    session.set('n', n);
    return { n, pid: process.pid };
  }
}

export const resource = new PidCounter();
