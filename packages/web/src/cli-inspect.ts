/**
 * `dovetail inspect <module>`: loads a module as `dovetail serve` would (its registrations run)
 * and prints the global registry's tables — interfaces with their resolution orders, adapters,
 * utilities, subscribers, handlers — as the Inspector shows them, in the terminal.
 *
 * @module
 */
import { getGlobalRegistry } from '@dovetail/registry';
import { loadRoot } from './cli-module.js';
import { CliError } from './errors.js';
import { registryTableData, type RegistryTable } from './inspector-pages.js';

/** The usage line of `dovetail inspect`. */
export const INSPECT_USAGE = 'usage: dovetail inspect <module>';

/** One table as aligned text columns, with its caption and row count. */
export function textTable(table: RegistryTable): string {
  const rows = [table.head, ...table.rows];
  const widths = table.head.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [`${table.caption} (${table.rows.length})`, ...(table.rows.length === 0 ? [] : rows.map(line))].join('\n');
}

/**
 * Runs `dovetail inspect` with its arguments (after the word `inspect`).
 *
 * @throws {CliError} exit code 2 without exactly one module, or when the module cannot be loaded.
 */
export async function inspect(argv: readonly string[]): Promise<void> {
  if (argv.length !== 1 || argv[0]!.startsWith('-')) throw new CliError(INSPECT_USAGE, argv.includes('--help') ? 0 : 2);
  await loadRoot(argv[0]!);
  console.log(registryTableData(getGlobalRegistry()).map(textTable).join('\n\n'));
}
