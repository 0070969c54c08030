/**
 * The one logger dovetail's libraries write through: `Sessions`, `Site` and `dovetailSessions`
 * take it as their `logger` option. `console` is one, and so is any pino, winston or bunyan
 * logger whose methods take a message first.
 */

/**
 * Where a dovetail library says what it cannot say in a response.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const logger: Logger = { error: (m) => lines.push(m), warn: (m) => lines.push(m), info: (m) => lines.push(m) };
 * const sessions = new Sessions({ logger });
 * ```
 */
export interface Logger {
  /** A failure nobody else was told about (the cause of a 500, a server error): one line, then the error itself for its stack. */
  error(message: string, error?: unknown): void;
  /** Something degraded but handled (a corrupt stored session dropped, a session store outage and its end): one line naming the cause. */
  warn(message: string): void;
  /** An ordinary event worth a line (a server listening, an access-log line). */
  info(message: string): void;
}

/** An error's message on one line, for a log line that names its cause. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}
