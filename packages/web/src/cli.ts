#!/usr/bin/env node
/**
 * The `dovetail` command: `dovetail serve <module> [--port 8080] [--host 127.0.0.1]
 * [--store memory|sqlite:PATH|redis://…] [--secret-file PATH] [--max-sessions N] [--timeout S]
 * [--log [combined|json]] [--trust-proxy] [--https CERT KEY]` serves a module's exported root
 * resource (Twisted's `twistd web --path`, and its `--https`); `--log` writes one access line
 * per request to stdout. Every mistake in the command line, the module or the store is one line
 * on stderr and exit code 2. `GET
 * /.well-known/dovetail/health` answers 200 while the session store answers, else 503.
 *
 * A module exports its root as `resource` (the name a Twisted .rpy script uses), `root`, or
 * its default export. Secrets: `DOVETAIL_SECRETS` (comma-separated, newest first), else the
 * `--secret-file`, else the secret the store keeps (a file beside a SQLite database, a key in
 * Redis: every process on the store shares it, and sessions survive a restart), else (memory) a
 * random one. An empty or short secret stops start-up with one line saying how to make one.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { SessionStoreConfigError, Sessions, keptSecretFile } from '@dovetail/session';
import { combinedLogLine, jsonLogLine } from './access-log.js';
import { inspect } from './cli-inspect.js';
import { loadRoot } from './cli-module.js';
import { parseServeArgs, type ServeOptions } from './cli-options.js';
import { sessionsCommand } from './cli-sessions.js';
import { makeStore, unusableStore } from './cli-store.js';
import { CliError } from './errors.js';
import { Site } from './site.js';
import { runWorkerPool } from './workers.js';

/** Where `dovetail serve` answers its health check (200 while the store answers, else 503). */
const HEALTH_PATH = '/.well-known/dovetail/health';

/**
 * The certificate and key of `--https`, read and checked now so that a wrong file is one line at
 * start-up, not an error on the first connection.
 */
function readTls(files: { cert: string; key: string }): { cert: Buffer; key: Buffer } {
  const read = (what: string, path: string): Buffer => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new CliError(`--https: cannot read the ${what} ${path}: ${(e as Error).message}`, 2);
    }
  };
  const tls = { cert: read('certificate', files.cert), key: read('key', files.key) };
  try {
    createSecureContext(tls);
  } catch (e) {
    throw new CliError(`--https ${files.cert} ${files.key}: not a certificate and its matching key in PEM (${(e as Error).message}).`, 2);
  }
  return tls;
}

/** Secrets given to this process; `undefined` lets the store keep one (see `Sessions#ready`). */
function secrets(options: ServeOptions): string[] | undefined {
  const fromEnv = process.env['DOVETAIL_SECRETS'];
  if (fromEnv) return fromEnv.split(',').map((s) => s.trim());
  return options.secretFile === undefined ? undefined : [keptSecretFile(resolve(options.secretFile))];
}

/** Loads the module and opens the store (reading, or creating, the secret it keeps): every start-up mistake shows here, once. */
async function prepare(options: ServeOptions) {
  const root = await loadRoot(options.module);
  const tls = options.https && readTls(options.https);
  const store = makeStore(options.store, options.maxSessions);
  let given: string[] | undefined;
  try {
    given = secrets(options);
  } catch (e) {
    await Promise.resolve(store.close()).catch(() => undefined);
    // An empty or short secret says how to make one: a setting to fix, as every start-up mistake (exit 2).
    if (e instanceof SessionStoreConfigError) throw new CliError(e.message, 2);
    throw new CliError(`--secret-file ${options.secretFile ?? ''}: ${(e as Error).message}`, 2);
  }
  let sessions: Sessions | undefined;
  try {
    sessions = new Sessions({ store, secrets: given, ...(options.timeout === undefined ? {} : { timeout: options.timeout }) });
    // Open the store now (and read the secret it keeps), so an unreachable Redis, an unwritable
    // file or a bad secret fails at start-up, in one line.
    await sessions.ready();
  } catch (e) {
    await Promise.resolve((sessions ?? store).close()).catch(() => undefined);
    if (e instanceof SessionStoreConfigError) throw new CliError(e.message, 2);
    throw unusableStore(options.store, store, e);
  }
  return { root, tls, store, sessions };
}

/**
 * With `--workers N` (N > 1) this process is the primary: it checks the module and the store,
 * so that the secret the store keeps exists before any worker reads it, then runs the workers.
 */
async function superviseWorkers(options: ServeOptions): Promise<void> {
  const { tls, store, sessions } = await prepare(options);
  await sessions.close();
  runWorkerPool({
    count: options.workers,
    banner: ({ address, port }) =>
      `dovetail: serving ${options.module} with ${store.name} sessions on ${options.workers} workers; listening on ${tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}`,
  });
}

async function serve(options: ServeOptions): Promise<void> {
  const { root, tls, store, sessions } = await prepare(options);
  const format = options.log === 'json' ? jsonLogLine : options.log === 'combined' ? combinedLogLine : null;
  const site = new Site(root, {
    sessions,
    health: HEALTH_PATH,
    trustProxy: options.trustProxy,
    ...(tls && { tls }),
    ...(format && { accessLog: (entry) => void process.stdout.write(`${format(entry)}\n`) }),
  });
  let address;
  try {
    address = await site.listen(options.port, options.host);
  } catch (e) {
    await sessions.close().catch(() => undefined);
    throw new CliError((e as Error).message);
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // A worker's primary says where the workers listen, once.
  if (!cluster.isWorker) console.log(`dovetail: serving ${options.module} with ${store.name} sessions; listening on ${tls ? 'https' : 'http'}://${host}:${address.port}`);
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
    if (argv[0] === 'inspect') await inspect(argv.slice(1));
    else if (argv[0] === 'sessions') await sessionsCommand(argv.slice(1));
    else {
      const options = parseServeArgs(argv);
      await (options.workers > 1 && cluster.isPrimary ? superviseWorkers(options) : serve(options));
    }
  } catch (e) {
    if (e instanceof CliError) {
      (e.exitCode === 0 ? console.log : console.error)(e.exitCode === 0 ? e.message : `dovetail: ${e.message}`);
      process.exitCode = e.exitCode;
      return;
    }
    console.error(`dovetail: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  } finally {
    // A worker that could not start exits (its channel to the primary would keep it alive).
    if (cluster.isWorker && process.exitCode !== undefined) process.exit();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.argv[1]?.endsWith('/dovetail')) {
  void main(process.argv.slice(2));
}
