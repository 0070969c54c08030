/**
 * HTML escaping and the short error page. Internal: never re-exported.
 */
import { STATUS_CODES } from 'node:http';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** The reason phrase of a status, e.g. 'Not Found'. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** A short HTML page for an error status; `detail` is text and is escaped here. */
export function errorPage(status: number, brief: string, detail: string): string {
  const title = `${status} ${escapeHtml(brief)}`;
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body><h1>${title}</h1>${detail ? `<pre>${escapeHtml(detail)}</pre>` : ''}</body></html>`
  );
}
