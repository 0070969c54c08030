import { describe, expect, it } from '@jest/globals';
import { toSvg, wrap } from './chart.js';
import type { ResultRow } from './report.js';

describe('wrap', () => {
  it('breaks between words, at most `chars` a line; a longer word stays whole on its own line', () => {
    expect(wrap('a bb ccc', 4)).toEqual(['a bb', 'ccc']);
    expect(wrap('short', 40)).toEqual(['short']);
    expect(wrap('x abcdefgh y', 4)).toEqual(['x', 'abcdefgh', 'y']);
  });
});

describe('toSvg', () => {
  const rows: ResultRow[] = [{ peer: 'bare-node', description: '', scenario: 'hot', runs: [], rps: 1000, ratio: 1, non2xx: 0, errors: 0 }];
  const texts = (svg: string): string[] => [...svg.matchAll(/<text [^>]*fill="#555">([^<]*)<\/text>/g)].map((m) => m[1]!);

  it('a subtitle too long for the chart takes two lines, every word kept, and the bars move down by a line', () => {
    const long = 'wrk, 32 connections, load average 1.23 — up to 11.7% of the CPU time stolen by the hypervisor in a run: not a measurement; 2026-12-03';
    const one = toSvg(rows, 'title', 'wrk, 32 connections');
    const two = toSvg(rows, 'title', long);
    const subtitle = texts(two).filter((t) => !/^[\d.]+k$|^requests per second$/.test(t));
    expect(subtitle).toHaveLength(2);
    expect(subtitle.join(' ')).toBe(long);
    const firstBar = (svg: string): number => Number(/<rect x="170" y="([\d.]+)"/.exec(svg)![1]);
    expect(firstBar(two) - firstBar(one)).toBe(15);
  });
});
