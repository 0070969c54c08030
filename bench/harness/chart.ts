/**
 * bench/results/http.svg: req/s per server, one bar per scenario, drawn from the measured
 * numbers as plain SVG (horizontal grouped bars; server names need the room on the left).
 */
import { SCENARIO_TITLES, type Scenario } from './options.js';
import type { ResultRow } from './report.js';

const COLOURS: Record<Scenario, string> = { hot: '#d9534f', many: '#f0ad4e', sticky: '#8e6bbf', new: '#5b8fd9' };
const WIDTH = 860;
const LEFT = 170;
const RIGHT = 150;
const BAR = 14;
const GAP = 12;
const TOP = 58;
/** Characters of the subtitle per line: about what 12-px sans-serif fits between LEFT and the right edge. */
const SUBTITLE_CHARS = Math.floor((WIDTH - LEFT - 10) / 6.5);
const LINE = 15;

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `text` in lines of at most `chars` characters, broken between words. */
export function wrap(text: string, chars: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > chars) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** A round step for the axis: 1, 2 or 5 × 10^n, about `ticks` of them up to `max`. */
function step(max: number, ticks: number): number {
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude);
}

export function toSvg(rows: ResultRow[], title: string, subtitle: string): string {
  const scenarios = [...new Set(rows.map((r) => r.scenario))];
  const peers = [...new Set(rows.map((r) => r.peer))];
  const max = Math.max(1, ...rows.map((r) => r.rps ?? 0));
  const tick = step(max, 6);
  const top = Math.ceil(max / tick) * tick;
  const plot = WIDTH - LEFT - RIGHT;
  const x = (v: number): number => LEFT + (v / top) * plot;
  const groupHeight = scenarios.length * BAR + GAP;
  // A long subtitle (a run flagged as no measurement says why) takes more lines and pushes the rest down.
  const subtitleLines = wrap(subtitle, SUBTITLE_CHARS);
  const head = TOP + (subtitleLines.length - 1) * LINE;
  const height = head + peers.length * groupHeight + 40;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${LEFT}" y="20" font-size="15" font-weight="bold">${escape(title)}</text>`,
    ...subtitleLines.map((line, i) => `<text x="${LEFT}" y="${38 + i * LINE}" fill="#555">${escape(line)}</text>`),
  ];
  scenarios.forEach((s, i) => {
    const lx = WIDTH - RIGHT - (scenarios.length - i) * 120 + 30;
    out.push(`<rect x="${lx}" y="${head - 14}" width="10" height="10" fill="${COLOURS[s]}"/>`, `<text x="${lx + 14}" y="${head - 5}">${SCENARIO_TITLES[s]}</text>`);
  });
  const bottom = head + peers.length * groupHeight;
  for (let v = 0; v <= top; v += tick) {
    out.push(`<line x1="${x(v)}" y1="${head - 4}" x2="${x(v)}" y2="${bottom}" stroke="#ddd"/>`);
    out.push(`<text x="${x(v)}" y="${bottom + 16}" text-anchor="middle" fill="#555">${(v / 1000).toLocaleString('en-US')}k</text>`);
  }
  out.push(`<text x="${LEFT + plot / 2}" y="${bottom + 34}" text-anchor="middle" fill="#555">requests per second</text>`);
  peers.forEach((peer, g) => {
    const y0 = head + g * groupHeight;
    out.push(`<text x="${LEFT - 8}" y="${y0 + (scenarios.length * BAR) / 2 + 4}" text-anchor="end">${escape(peer)}</text>`);
    scenarios.forEach((s, i) => {
      const row = rows.find((r) => r.peer === peer && r.scenario === s);
      const y = y0 + i * BAR;
      if (row?.rps === undefined) {
        out.push(`<text x="${LEFT + 4}" y="${y + BAR - 3}" fill="#999">${row?.skipped ? 'skipped' : 'not measured'}</text>`);
        return;
      }
      const ratio = row.ratio !== undefined ? ` (${row.ratio.toFixed(2)}×)` : '';
      const lost = row.lost ? `, ${row.lost.toLocaleString('en-US')} updates lost` : '';
      const label = `${Math.round(row.rps).toLocaleString('en-US')}${ratio}${lost}`;
      out.push(`<rect x="${LEFT}" y="${y + 1}" width="${Math.max(1, x(row.rps) - LEFT).toFixed(1)}" height="${BAR - 2}" fill="${COLOURS[s]}"/>`);
      out.push(`<text x="${(x(row.rps) + 4).toFixed(1)}" y="${y + BAR - 3}" font-size="10" fill="#333">${label}</text>`);
    });
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
