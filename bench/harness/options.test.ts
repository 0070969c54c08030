import { afterEach, describe, expect, it } from '@jest/globals';
import { optionsFromEnv, runCommand } from './options.js';

const KNOBS = ['BENCH_BASE', 'BENCH_PEERS', 'BENCH_SCENARIOS', 'BENCH_SECONDS', 'BENCH_RUNS', 'BENCH_PIN', 'BENCH_FREEZE', 'BENCH_MEMORY_REDUCER', 'BENCH_SESSIONS', 'BENCH_CONNECTIONS'];
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
      BENCH_FREEZE: '0',
      BENCH_MEMORY_REDUCER: '1',
      BENCH_SESSIONS: '500',
    });
    expect(runCommand(optionsFromEnv())).toBe('BENCH_BASE=/tmp/base BENCH_PEERS=scale BENCH_SCENARIOS=hot,many BENCH_SECONDS=5 BENCH_RUNS=5 BENCH_SESSIONS=500 BENCH_PIN=0 BENCH_FREEZE=0 BENCH_MEMORY_REDUCER=1 npm run bench:http');
  });
});

describe('scenarios', () => {
  it('the scale set adds the sticky scenario to the three of the comparison, and its command needs no BENCH_SCENARIOS for it', () => {
    for (const k of KNOBS) delete process.env[k];
    expect(optionsFromEnv().scenarios).toEqual(['hot', 'many', 'new']);
    process.env.BENCH_PEERS = 'scale';
    expect(optionsFromEnv().scenarios).toEqual(['hot', 'many', 'sticky', 'new']);
    expect(runCommand(optionsFromEnv())).toBe('BENCH_PEERS=scale BENCH_SECONDS=10 BENCH_RUNS=3 npm run bench:http');
  });

  it('refuses a sticky run with fewer sessions than connections, saying what to change', () => {
    for (const k of KNOBS) delete process.env[k];
    Object.assign(process.env, { BENCH_SCENARIOS: 'sticky', BENCH_SESSIONS: '20' });
    expect(() => optionsFromEnv()).toThrow('BENCH_SESSIONS=20 is fewer than BENCH_CONNECTIONS=32: the sticky scenario gives each connection sessions of its own; raise BENCH_SESSIONS or leave sticky out of BENCH_SCENARIOS');
    process.env.BENCH_SCENARIOS = 'hot,many';
    expect(optionsFromEnv().sessions).toBe(20);
  });
});
