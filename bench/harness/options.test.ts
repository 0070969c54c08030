import { afterEach, describe, expect, it } from '@jest/globals';
import { optionsFromEnv, runCommand } from './options.js';

const KNOBS = ['BENCH_BASE', 'BENCH_PEERS', 'BENCH_SCENARIOS', 'BENCH_SECONDS', 'BENCH_RUNS', 'BENCH_PIN', 'BENCH_SESSIONS'];
const saved = Object.fromEntries(KNOBS.map((k) => [k, process.env[k]]));

afterEach(() => {
  for (const k of KNOBS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('runCommand', () => {
  it('names only the seconds and runs for a run with the defaults', () => {
    for (const k of KNOBS) delete process.env[k];
    expect(runCommand(optionsFromEnv())).toBe('BENCH_SECONDS=10 BENCH_RUNS=3 npm run bench:http');
  });

  it('names every knob a run changed, so a raw report says what it compared and how it was pinned', () => {
    Object.assign(process.env, {
      BENCH_BASE: '/tmp/base',
      BENCH_PEERS: 'scale',
      BENCH_SCENARIOS: 'hot,many',
      BENCH_SECONDS: '5',
      BENCH_RUNS: '5',
      BENCH_PIN: '0',
      BENCH_SESSIONS: '500',
    });
    expect(runCommand(optionsFromEnv())).toBe('BENCH_BASE=/tmp/base BENCH_PEERS=scale BENCH_SCENARIOS=hot,many BENCH_SECONDS=5 BENCH_RUNS=5 BENCH_SESSIONS=500 BENCH_PIN=0 npm run bench:http');
  });
});
