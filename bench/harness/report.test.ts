import { describe, expect, it } from '@jest/globals';
import { optionsFromEnv } from './options.js';
import { summarise, toMarkdown, unreliable, type ResultRow } from './report.js';
import type { Measurement } from './measure.js';

/** A row of `peer` in the hot scenario whose rounds answered `rates` req/s. */
function row(peer: string, rates: number[]): ResultRow {
  const runs = rates.map((rps) => ({ rps, requests: rps, ok: rps, non2xx: 0, errors: 0, seconds: 1, p50: 1, p99: 2, cutShort: false, lost: 0 }) satisfies Measurement);
  return { peer, description: '', scenario: 'hot', runs, non2xx: 0, errors: 0 };
}

describe('summarise', () => {
  it("a server's ratio to bare is the median of its rounds' ratios, not the ratio of two medians taken from different rounds", () => {
    // The machine slowed after the first round; the server's first run was slowed as well.
    const bare = row('bare-node', [100, 50, 70]);
    const server = row('dovetail', [50, 40, 56]);
    summarise([bare, server], 'bare-node');
    expect(server.rps).toBe(50);
    expect(bare.rps).toBe(70);
    expect(server.ratio).toBeCloseTo(0.8); // rounds: 0.5, 0.8, 0.8 (the medians' ratio: 50 / 70 = 0.71)
    expect(bare.ratio).toBe(1);
  });

  it('a round the baseline did not run is left out; no baseline, no ratio', () => {
    const server = row('dovetail', [30, 40, 90]);
    summarise([row('bare-node', [100, 50]), server], 'bare-node');
    expect(server.ratio).toBeCloseTo(0.55); // 0.3 and 0.8
    const alone = row('dovetail', [30]);
    summarise([alone], 'bare-node');
    expect(alone.ratio).toBeUndefined();
  });
});

describe('unreliable', () => {
  const quiet = { loadBefore: [0.3, 0.2, 0.1] };
  it('names what made a benchmark no measurement: a loaded machine, CPU stolen in any one run, or nothing', () => {
    expect(unreliable(quiet, [{ steal: 0.01 }, { steal: 0.02 }])).toBe('');
    expect(unreliable(quiet, [{ steal: undefined }])).toBe('');
    expect(unreliable({ loadBefore: [2.1, 1, 1] }, [{ steal: 0.3 }])).toBe('a loaded machine, up to 30.0% of the CPU time stolen by the hypervisor in a run');
    expect(unreliable(quiet, [{ steal: 0.01 }, { steal: 0.06 }, {}])).toBe('up to 6.0% of the CPU time stolen by the hypervisor in a run');
  });
});

describe('toMarkdown', () => {
  it("a 2-worker row says what a request cost its workers and how many it answered, each as a multiple of the 1-worker row's", () => {
    const one = row('bare-node', [100]);
    const two = row('bare-node-2w', [110]);
    two.runs[0]!.cpuPerRequest = 25;
    one.runs[0]!.cpuPerRequest = 20;
    summarise([one, two], 'bare-node');
    const info = { options: optionsFromEnv(), loadgen: 'wrk', pinning: 'not pinned', startedAt: new Date(0), loadBefore: [0, 0, 0], loadAfter: [0, 0, 0], restarts: 0, repeated: 0 };
    // Its last line: the scenario's table, where the notes are.
    const line = toMarkdown([one, two], info)
      .split('\n')
      .filter((l) => l.startsWith('| bare-node-2w |'))
      .at(-1);
    expect(line).toContain("worker CPU per request ×1.25 of bare-node's; req/s ×1.10");
  });
});
