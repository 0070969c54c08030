import { describe, expect, it } from '@jest/globals';
import { measureAgain, parseCpuTimes, STOLEN, stealBetween } from './steal.js';

// Two reads of a 2-CPU machine's /proc/stat, 1 s apart: 200 ticks, 60 of them stolen.
const BEFORE = 'cpu  1000 10 200 5000 40 0 30 500 70 0\ncpu0 500 5 100 2500 20 0 15 250 35 0\nintr 1 2 3\n';
const AFTER = 'cpu  1080 10 230 5030 40 0 30 560 90 0\ncpu0 540 5 115 2510 20 0 15 280 45 0\nintr 4 5 6\n';

describe('parseCpuTimes', () => {
  it("reads the machine's line, not a CPU's, and leaves guest time out (the kernel counts it in user time)", () => {
    expect(parseCpuTimes(BEFORE)).toEqual({ total: 1000 + 10 + 200 + 5000 + 40 + 0 + 30 + 500, steal: 500 });
  });

  it('a text without a machine line, or with a short one → undefined', () => {
    expect(parseCpuTimes('cpu0 1 2 3 4 5 6 7 8\n')).toBeUndefined();
    expect(parseCpuTimes('cpu  1 2 3\n')).toBeUndefined();
  });
});

describe('stealBetween', () => {
  it('the stolen share of the CPU time between two reads', () => {
    expect(stealBetween(parseCpuTimes(BEFORE), parseCpuTimes(AFTER))).toBeCloseTo(60 / 200);
  });

  it('a read missing, or no time between them → undefined', () => {
    expect(stealBetween(undefined, parseCpuTimes(AFTER))).toBeUndefined();
    expect(stealBetween(parseCpuTimes(AFTER), parseCpuTimes(AFTER))).toBeUndefined();
  });
});

describe('measureAgain', () => {
  const clean = { steal: 0.01 };
  const stolen = { steal: STOLEN + 0.001 };

  it('a round with one run over the limit is measured again while retries are left; a clean round, or one without steal figures, is kept', () => {
    expect(measureAgain([clean, stolen, clean], 0, 2)).toBe(true);
    expect(measureAgain([clean, stolen], 1, 2)).toBe(true);
    expect(measureAgain([clean, { steal: STOLEN }], 0, 2)).toBe(false);
    expect(measureAgain([{}, {}], 0, 2)).toBe(false);
  });

  it('once measured again as often as allowed, the round is kept as it is (and the report flags it)', () => {
    expect(measureAgain([stolen], 2, 2)).toBe(false);
    expect(measureAgain([stolen], 0, 0)).toBe(false);
  });
});
