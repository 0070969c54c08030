#!/usr/bin/env node
/**
 * The `dovetail` command: `dovetail serve <module> [--port 8080] [--host 127.0.0.1]
 * [--store memory|sqlite:PATH|redis://…] [--secret-file PATH] [--max-sessions N] [--timeout S]
 * [--log [combined|json]]` serves a module's exported root resource (Twisted's `twistd web
 * --path`); `--log` writes one access line per request to stdout.
 *
 * A module exports its root as `resource` (the name a Twisted .rpy script uses), `root`, or
 * its default export. Secrets: `DOVETAIL_SECRETS` (comma-separated, newest first), else the
 * `--secret-file`, else the secret the store keeps (a file beside a SQLite database, a key in
 * Redis: every process on the store shares it, and sessions survive a restart), else (memory) a
 * random one. An empty or short secret stops start-up with one line saying how to make one.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MemoryStore, RedisStore, SessionStoreConfigError, Sessions, SqliteStore, keptSecretFile } from '@dovetail/session';
import { combinedLogLine, jsonLogLine } from './access-log.js';
import { parseServeArgs, type ServeOptions } from './cli-options.js';
import { CliError } from './errors.js';
import { Resource } from './resource.js';
import { Site } from './site.js';
import type { SessionStore } from '@dovetail/session';

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
  const format = options.log === 'json' ? jsonLogLine : options.log === 'combined' ? combinedLogLine : null;
  const site = new Site(root, { sessions, ...(format && { accessLog: (entry) => void process.stdout.write(`${format(entry)}\n`) }) });
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
    await serve(parseServeArgs(argv));
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
