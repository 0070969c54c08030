import { describe, expect, it } from '@jest/globals';
import { StagedWrite, releaseAfter } from './staged-write.js';

/** A store of one session: a version and a payload, written by compare-and-set; calls held until `open()` when gated. */
function fakeStore(gated = false) {
  const writes: { payload: string; expected: number }[] = [];
  let version = 1;
  let payload = '';
  let open: () => void = () => undefined;
  let gate: Promise<void> | null = gated ? new Promise<void>((r) => (open = r)) : null;
  const write = async (p: string, _expires: number, expected: number): Promise<number | undefined> => {
    if (gate !== null) await gate;
    writes.push({ payload: p, expected });
    if (expected !== version) return undefined;
    payload = p;
    return ++version;
  };
  return {
    writes,
    write,
    stored: () => ({ version, payload }),
    bump: () => version++,
    open: () => ((gate = null), open()),
  };
}

const conflict = (v: number): Error => new Error(`conflict at ${v}`);
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('StagedWrite', () => {
  it('writes what is staged in one turn once, at the end of the turn, with the last state', async () => {
    const store = fakeStore();
    const chain = new StagedWrite(1, store.write, conflict);
    const durable = [chain.stage('a', 0), chain.stage('b', 0), chain.stage('c', 0)];
    expect(store.writes).toEqual([]);
    expect(chain.unwritten).toBe(true);
    await Promise.all(durable);
    expect(store.writes).toEqual([{ payload: 'c', expected: 1 }]);
    expect(chain.version).toBe(2);
    expect(chain.unwritten).toBe(false);
  });

  it('a request that takes what is staged writes it itself: the turn-end flush then writes nothing', async () => {
    const store = fakeStore();
    const chain = new StagedWrite(1, store.write, conflict);
    const durable = chain.stage('a', 0);
    const taken = await chain.take();
    expect(taken?.payload).toBe('a');
    let settled = false;
    void durable.then(() => (settled = true));
    await turn();
    expect(store.writes).toEqual([]);
    expect(settled).toBe(false); // durable only once the taker says so
    taken!.resolve();
    await durable;
  });

  it('take() waits for a write in flight, so the next write expects the version it made', async () => {
    const store = fakeStore(true);
    const chain = new StagedWrite(1, store.write, conflict);
    const durable = chain.stage('a', 0);
    await turn(); // the flush starts, held at the gate
    let took = false;
    const taking = chain.take().then((t) => ((took = true), t));
    await turn();
    expect(took).toBe(false);
    store.open();
    expect(await taking).toBeNull();
    await durable;
    expect(chain.version).toBe(2);
  });

  it('a refused write fails every request that staged into it', async () => {
    const store = fakeStore();
    const chain = new StagedWrite(1, store.write, conflict);
    store.bump(); // someone else wrote
    const durable = [chain.stage('a', 0), chain.stage('b', 0)];
    for (const d of durable) await expect(d).rejects.toThrow('conflict at 1');
    expect(store.stored().payload).toBe('');
  });

  it('releaseAfter gives the lease back only once the staged state is written', async () => {
    const store = fakeStore(true);
    const chain = new StagedWrite(1, store.write, conflict);
    const durable = chain.stage('a', 0);
    let released = false;
    releaseAfter(chain, () => (released = true));
    await turn();
    expect(released).toBe(false);
    store.open();
    await durable;
    await turn();
    expect(released).toBe(true);
    expect(store.stored()).toEqual({ version: 2, payload: 'a' });
    let now = false;
    releaseAfter(null, () => (now = true));
    expect(now).toBe(true);
  });
});
