/**
 * Loading the module `dovetail serve` serves, and finding its root resource. Each way of getting
 * this wrong (no such file, TypeScript source, a class where an instance is needed, no resource,
 * a dovetail option the module sets wrongly as it loads) is one line saying what to do, exit code 2.
 *
 * @module
 */
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliError } from './errors.js';
import { Resource } from './resource.js';

/** The names a module may export its root under, in the order they are tried. */
const EXPORTS = ['resource', 'root', 'default'] as const;

/**
 * The codes of dovetail's configuration errors: thrown while a module loads (a short inspector
 * token, a bad cookie setting, a bad store option), they are a setting to fix, which the message
 * names, not a bug whose stack would help.
 */
const CONFIGURATION_CODES = new Set(['DT_WEB_INVALID_OPTION', 'DT_WEB_INVALID_COOKIE', 'DT_SESSION_STORE_CONFIG']);

/**
 * Imports `module` (a path or a URL) and returns its root resource.
 *
 * @throws {CliError} exit code 2 when the module cannot be found or loaded as JavaScript, or exports no Resource instance.
 */
export async function loadRoot(module: string): Promise<Resource> {
  const isUrl = /^[a-z]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module);
  const url = isUrl ? module : pathToFileURL(resolve(module)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    throw loadError(module, e as NodeJS.ErrnoException) ?? e;
  }
  const [name, root] = EXPORTS.map((n) => [n, loaded[n]] as const).find(([, v]) => v !== undefined) ?? [];
  if (root instanceof Resource) return root;
  if (typeof root === 'function' && root.prototype instanceof Resource) {
    const cls = (root as { name?: string }).name || 'the class';
    const spelled = name === 'default' ? `export default new ${cls}()` : `export const ${name!} = new ${cls}()`;
    throw new CliError(`Module '${module}' exports the class ${cls} as '${name!}'; serving needs an instance of it: ${spelled}.`, 2);
  }
  throw new CliError(`Module '${module}' exports no root resource: export a Resource instance as 'resource' (as a Twisted .rpy does), 'root' or default.`, 2);
}

/** The one-line CliError for a module that could not be imported for a reason of ours to explain, or null (its own error then shows, stack included: a bug in the module). */
function loadError(module: string, err: NodeJS.ErrnoException): CliError | null {
  const path = resolve(module);
  if (err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(path)) {
    return new CliError(`Cannot find module '${module}' (looked at ${path}). Build first (npm run build) and pass the compiled .js file.`, 2);
  }
  if (typeof err.code === 'string' && CONFIGURATION_CODES.has(err.code)) {
    return new CliError(`Module '${module}' stopped while loading: ${err.message}`, 2);
  }
  if (err.code === 'ERR_UNKNOWN_FILE_EXTENSION' && /^\.[cm]?tsx?$/.test(extname(path))) {
    return new CliError(
      `'${module}' is TypeScript, which Node does not run: build it (npx tsc) and pass the compiled .js file, ` +
        `or run the CLI with a TypeScript loader (node --import tsx node_modules/@dovetail/web/dist/cli.js serve ${module}).`,
      2,
    );
  }
  return null;
}
