/**
 * CPU steal: the time a virtual machine's CPUs were ready to run but the hypervisor ran another
 * machine instead. On a shared host it comes and goes within minutes, and every server in a run
 * slows down with it, but not evenly across the rounds of a run, so a ratio to bare node:http
 * taken while it changes says little. The report gives each run's share and flags a run that
 * had much of it; a round of runs with one such run is measured again, as often as allowed.
 */
import { readFileSync } from 'node:fs';

/** Cumulative CPU time of the whole machine, in clock ticks (`/proc/stat`). */
export interface CpuTimes {
  readonly total: number;
  readonly steal: number;
}

/** Above this share of the machine's CPU time stolen, a run's figures are not a measurement. */
export const STOLEN = 0.05;

/**
 * The machine's line of `/proc/stat` (`cpu  user nice system idle iowait irq softirq steal …`);
 * undefined when `stat` has none. Guest time is left out: the kernel counts it in user time.
 */
export function parseCpuTimes(stat: string): CpuTimes | undefined {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (ticks.length < 8 || ticks.some((t) => !Number.isFinite(t))) return undefined;
  return { total: ticks.reduce((sum, t) => sum + t, 0), steal: ticks[7]! };
}

/** The machine's CPU times now; undefined where there is no `/proc/stat` (not Linux). */
export function cpuTimes(): CpuTimes | undefined {
  try {
    return parseCpuTimes(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The share of the CPU time between `before` and `after` that was stolen (0 to 1). */
export function stealBetween(before: CpuTimes | undefined, after: CpuTimes | undefined): number | undefined {
  if (before === undefined || after === undefined || after.total <= before.total) return undefined;
  return (after.steal - before.steal) / (after.total - before.total);
}

/**
 * True when a round of runs (every server once, interleaved) should be measured again: one of
 * its runs had more than {@link STOLEN} of the CPU time stolen, and it has been measured again
 * fewer than `retries` times. Its runs are then dropped, all together, so the ratios stay those
 * of runs taken side by side; the rule looks at steal only, never at the figures.
 */
export function measureAgain(runs: readonly { readonly steal?: number }[], repeats: number, retries: number): boolean {
  return repeats < retries && runs.some((run) => run.steal !== undefined && run.steal > STOLEN);
}
