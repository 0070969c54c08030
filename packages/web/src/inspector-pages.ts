/**
 * The inspector's HTML: the registry's tables, the graph page, session statistics, the session
 * list and one session's data. Every piece of text that comes from the registry or a session
 * goes through `escapeHtml` here, in `cell`/`text`, and nowhere else builds markup from data.
 *
 * @module
 */
import { inspect } from 'node:util';
import { registeredInterfaces, registryGraphSvg, specLabel } from './inspector-graph.js';
import { escapeHtml } from './internal/html.js';
import type { Spec } from '@dovetail/interfaces';
import type { Registry } from '@dovetail/registry';
import type { ListPage } from '@dovetail/session';

/** Builds the inspector's links: `href('registry')` → `/_dovetail/registry` (plus the token when it came in the query). */
export type Href = (path: string, query?: Record<string, string>) => string;

/** What the statistics section shows. */
export interface SessionStatistics {
  /** The store's name (`memory`, `sqlite:…`). */
  readonly store: string;
  /** Entries the store keeps (`count()`). */
  readonly count: number;
  /** `ISessionCreated` events in the last minute. */
  readonly createdPerMinute: number;
  /** `ISessionExpired` events in the last minute. */
  readonly expiredPerMinute: number;
}

const text = (value: unknown): string => escapeHtml(typeof value === 'string' ? value : inspect(value, { depth: 6, breakLength: 100 }));
const cell = (value: unknown): string => `<td>${text(value)}</td>`;
const specs = (required: readonly (Spec | null)[]): string => required.map(specLabel).join(', ');
const nameOf = (f: unknown): string => (typeof f === 'function' && f.name ? f.name : typeof f === 'object' && f !== null ? (f.constructor?.name ?? 'object') : typeof f);

function table(id: string, caption: string, head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return (
    `<table id="${id}"><caption>${escapeHtml(caption)} (${rows.length})</caption>` +
    `<thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** A complete page: title, the inspector's navigation, and `body`. */
export function page(title: string, href: Href, body: string): string {
  const nav = [
    ['', 'Overview'],
    ['registry', 'Registry'],
    ['graph', 'Graph'],
    ['sessions', 'Sessions'],
  ]
    .map(([path, label]) => `<a href="${escapeHtml(href(path!))}">${label}</a>`)
    .join(' · ');
  return (
    `<!DOCTYPE html><html><head><meta charset='utf-8'><title>${escapeHtml(title)} — dovetail inspector</title>` +
    `<style>body{font:14px sans-serif;margin:1em 2em}table{border-collapse:collapse;margin:1em 0}` +
    `td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top;font-family:monospace}` +
    `caption{text-align:left;font-weight:bold}pre{background:#f6f6f6;padding:6px}</style></head>` +
    `<body><nav>${nav}</nav><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

/** One table of a registry's contents, as text cells: rendered as HTML here, as text by `dovetail inspect`. */
export interface RegistryTable {
  /** The HTML id of the table (`interfaces`, `adapters`, …). */
  readonly id: string;
  /** Its title. */
  readonly caption: string;
  /** Column titles. */
  readonly head: readonly string[];
  /** One row of text cells per registration. */
  readonly rows: readonly (readonly string[])[];
}

/** The registry's tables: interfaces with their resolution orders, adapters, utilities, subscribers, handlers. */
export function registryTableData(registry: Registry): RegistryTable[] {
  return [
    { id: 'interfaces', caption: 'Interfaces', head: ['Name', 'Resolution order (iro)', 'Doc'], rows: registeredInterfaces(registry).map((i) => [i.name, i.iro.map((s) => s.name).join(' → '), i.doc]) },
    { id: 'adapters', caption: 'Adapters', head: ['Required', 'Provided', 'Name', 'Factory'], rows: registry.registeredAdapters().map((r) => [specs(r.required), r.provided.name, r.name, nameOf(r.factory)]) },
    { id: 'utilities', caption: 'Utilities', head: ['Provided', 'Name', 'Component'], rows: registry.registeredUtilities().map((r) => [r.provided.name, r.name, nameOf(r.component)]) },
    { id: 'subscribers', caption: 'Subscribers', head: ['Required', 'Provided', 'Factory'], rows: registry.registeredSubscriptionAdapters().map((r) => [specs(r.required), r.provided.name, nameOf(r.factory)]) },
    { id: 'handlers', caption: 'Handlers', head: ['Required', 'Handler'], rows: registry.registeredHandlers().map((r) => [specs(r.required), nameOf(r.handler)]) },
  ];
}

/** The registry's tables as HTML. */
export function registryTables(registry: Registry): string {
  return registryTableData(registry).map((t) => table(t.id, t.caption, t.head, t.rows)).join('');
}

/** The graph page's body: the SVG and its legend. */
export function graphBody(registry: Registry): string {
  return (
    `<p>Boxes are interfaces (rounded: classes an adapter adapts); solid arrows point from an interface ` +
    `to one that extends it, dashed arrows from what an adapter adapts to what it provides.</p>` +
    registryGraphSvg(registry)
  );
}

/** The statistics table; bytes are n/a: no store reports how much it keeps. */
export function statisticsTable(stats: SessionStatistics | undefined): string {
  if (stats === undefined) return `<p id="no-sessions">No session manager: give the Inspector <code>sessions</code>, or serve it from a Site that has one.</p>`;
  return table(
    'statistics',
    'Sessions',
    ['Store', 'Count', 'Created per minute', 'Expired per minute', 'Bytes'],
    [[stats.store, stats.count, stats.createdPerMinute, stats.expiredPerMinute, 'n/a (the store does not tell)']],
  );
}

/** One page of the session list, each id linking to its data. */
export function sessionList(listed: ListPage, href: Href, now: number): string {
  const rows = listed.entries
    .map((e) => `<tr><td><a href="${escapeHtml(href(`sessions/${encodeURIComponent(e.id)}`))}">${escapeHtml(e.id)}</a></td>${cell(e.version)}${cell(new Date(e.expires).toISOString())}${cell(e.expires <= now ? 'expired, not swept' : 'live')}</tr>`)
    .join('');
  const next = listed.cursor === undefined ? '' : `<p><a id="next" href="${escapeHtml(href('sessions', { cursor: listed.cursor }))}">Next page</a></p>`;
  return `<table id="sessions"><thead><tr><th>Id</th><th>Version</th><th>Expires</th><th>State</th></tr></thead><tbody>${rows}</tbody></table>${next}`;
}

/** One session's decoded record, read-only; a payload the codec cannot read is shown as that. */
export function sessionData(id: string, record: unknown, expires: number): string {
  if (record === null || typeof record !== 'object') return `<p>Session ${escapeHtml(id)}: its payload is not a session record.</p>`;
  const r = record as Partial<Record<'created' | 'lastAccessed' | 'timeout' | 'secure' | 'data' | 'namespaces' | 'components', unknown>>;
  const time = (ms: unknown): unknown => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : ms);
  const section = (title: string, idAttr: string, value: unknown): string => `<h2>${title}</h2><pre id="${idAttr}">${text(value ?? {})}</pre>`;
  return (
    table('record', 'Session', ['Id', 'Created', 'Last accessed', 'Timeout (s)', 'Secure', 'Expires'], [[id, time(r.created), time(r.lastAccessed), r.timeout, r.secure, time(expires)]]) +
    section('Data', 'data', r.data) +
    section('Package data', 'namespaces', r.namespaces) +
    section('Components', 'components', r.components)
  );
}
