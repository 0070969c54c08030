#!/usr/bin/env node
/**
 * The `dovetail` command: `dovetail serve <module> [--port 8080] [--host 127.0.0.1]
 * [--store memory|sqlite:PATH|redis://…] [--secret-file PATH] [--max-sessions N] [--timeout S]` serves a module's exported root
 * resource (Twisted's `twistd web --path`).
 *
 * A module exports its root as `resource` (the name a Twisted .rpy script uses), `root`, or
 * its default export. Secrets: `DOVETAIL_SECRETS` (comma-separated, newest first), else the
 * `--secret-file`, else the secret the store keeps (a file beside a SQLite database, a key in
 * Redis: every process on the store shares it, and sessions survive a restart), else (memory) a
 * random one. An empty or short secret stops start-up with one line saying how to make one.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MemoryStore, RedisStore, SessionStoreConfigError, Sessions, SqliteStore, keptSecretFile } from '@dovetail/session';
import { CliError } from './errors.js';
import { Resource } from './resource.js';
import { Site } from './site.js';
import type { SessionStore } from '@dovetail/session';

const USAGE =
  'usage: dovetail serve <module> [--port 8080] [--host 127.0.0.1] [--store memory|sqlite:PATH|redis://HOST:PORT] [--secret-file PATH] ' +
  '[--max-sessions N (memory store; a full store answers new visitors 503)] [--timeout SECONDS (900)]';

interface ServeOptions {
  module: string;
  port: number;
  host: string;
  store: string;
  secretFile: string | undefined;
  maxSessions: number | undefined;
  timeout: number | undefined;
}

function parse(argv: readonly string[]): ServeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        port: { type: 'string', multiple: true },
        host: { type: 'string', multiple: true },
        store: { type: 'string', multiple: true },
        'secret-file': { type: 'string', multiple: true },
        'max-sessions': { type: 'string', multiple: true },
        timeout: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new CliError(`${(e as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new CliError(USAGE, 0);
  const [command, module, ...extra] = positionals;
  if (command !== 'serve' || !module || extra.length) throw new CliError(USAGE, 2);
  // A flag given twice takes its last value, so `npm start -- --port 9000` overrides the script's.
  const last = (v: string[] | undefined): string | undefined => v?.[v.length - 1];
  const port = Number(last(values.port) ?? '8080');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (0–65535), not '${last(values.port)}'.`, 2);
  const store = last(values.store) ?? 'memory';
  const maxText = last(values['max-sessions']);
  const maxSessions = maxText === undefined ? undefined : Number(maxText);
  if (maxSessions !== undefined && !(Number.isInteger(maxSessions) && maxSessions > 0)) throw new CliError(`--max-sessions must be a whole number above 0, not '${maxText}'.`, 2);
  if (maxSessions !== undefined && store !== 'memory') throw new CliError(`--max-sessions bounds the memory store only; ${store} keeps sessions outside this process.`, 2);
  const timeoutText = last(values.timeout);
  const timeout = timeoutText === undefined ? undefined : Number(timeoutText);
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) throw new CliError(`--timeout must be a number of seconds above 0, not '${timeoutText}'.`, 2);
  return { module, port, host: last(values.host) ?? '127.0.0.1', store, secretFile: last(values['secret-file']), maxSessions, timeout };
}

function makeStore(spec: string, maxSessions: number | undefined): SessionStore {
  if (spec === 'memory') return new MemoryStore(maxSessions === undefined ? {} : { maxSessions });
  if (spec.startsWith('sqlite:')) {
    const path = spec.slice('sqlite:'.length);
    if (!path) throw new CliError(`--store sqlite: needs a path, e.g. --store sqlite:var/sessions.db`, 2);
    return new SqliteStore({ path: resolve(path) });
  }
  if (spec.startsWith('redis://') || spec.startsWith('rediss://')) return new RedisStore({ url: spec });
  throw new CliError(`--store must be memory, sqlite:PATH or redis://HOST:PORT, not '${spec}'.`, 2);
}

/** Secrets given to this process; `undefined` lets the store keep one (see `Sessions#ready`). */
function secrets(options: ServeOptions): string[] | undefined {
  const fromEnv = process.env['DOVETAIL_SECRETS'];
  if (fromEnv) return fromEnv.split(',').map((s) => s.trim());
  return options.secretFile === undefined ? undefined : [keptSecretFile(resolve(options.secretFile))];
}

async function loadRoot(module: string): Promise<Resource> {
  const url = /^[a-z]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module) ? module : pathToFileURL(resolve(module)).href;
  let loaded: Record<string, unknown>;
  try {
    loaded = (await import(url)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(resolve(module))) {
      throw new CliError(`Cannot find module '${module}' (looked at ${resolve(module)}). Build first (npm run build) and pass the compiled .js file.`);
    }
    throw e;
  }
  const root = loaded['resource'] ?? loaded['root'] ?? loaded['default'];
  if (!(root instanceof Resource)) {
    throw new CliError(`Module '${module}' exports no root resource: export a Resource as 'resource' (as a Twisted .rpy does), 'root' or default.`);
  }
  return root;
}

async function serve(options: ServeOptions): Promise<void> {
  const root = await loadRoot(options.module);
  const store = makeStore(options.store, options.maxSessions);
  let sessions: Sessions | undefined;
  try {
    sessions = new Sessions({ store, secrets: secrets(options), ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
    // Open the store now (and read the secret it keeps), so an unreachable Redis, an unwritable
    // file or a bad secret fails at start-up, in one line.
    await sessions.ready();
  } catch (e) {
    await Promise.resolve((sessions ?? store).close()).catch(() => undefined);
    if (e instanceof SessionStoreConfigError) throw new CliError(e.message);
    throw new CliError(`The session store ${store.name} is not usable: ${(e as Error).message}`);
  }
  const site = new Site(root, { sessions });
  let address;
  try {
    address = await site.listen(options.port, options.host);
  } catch (e) {
    await sessions.close().catch(() => undefined);
    throw new CliError((e as Error).message);
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  console.log(`dovetail: serving ${options.module} with ${store.name} sessions; listening on http://${host}:${address.port}`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`dovetail: ${signal}, finishing in-flight requests`);
    site
      .close()
      .then(() => sessions.close())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(`dovetail: error while stopping: ${(e as Error).message}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** Runs the command line `argv` (without node and the script). */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await serve(parse(argv));
  } catch (e) {
    if (e instanceof CliError) {
      (e.exitCode === 0 ? console.log : console.error)(e.exitCode === 0 ? e.message : `dovetail: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    console.error(`dovetail: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.argv[1]?.endsWith('/dovetail')) {
  void main(process.argv.slice(2));
}
