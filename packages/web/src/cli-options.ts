/**
 * The command line of `dovetail serve`: its flags, their checks, and the usage line. A mistake
 * here is a `CliError` with exit code 2 and one line saying what to type instead.
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { CliError } from './errors.js';

/** The usage line printed by `--help` and after a usage mistake. */
export const USAGE =
  'usage: dovetail serve <module> [--port 8080] [--host 127.0.0.1] [--store memory|sqlite:PATH|sqlite+exclusive:PATH|redis://HOST:PORT|redis+cluster://HOST:PORT,…] ' +
  '[--secret-file PATH] [--max-sessions N (memory store; a full store answers new visitors 503)] [--timeout SECONDS (900)] ' +
  '[--log [combined|json]] [--trust-proxy] [--https CERT.pem KEY.pem] [--workers N|auto (1; sqlite: or redis:// store)]';

/** Access-log formats of `--log`. */
const LOG_FORMATS = ['combined', 'json'] as const;

/** What `dovetail serve` was asked to do. */
export interface ServeOptions {
  readonly module: string;
  readonly port: number;
  readonly host: string;
  readonly store: string;
  readonly secretFile: string | undefined;
  /** The memory store's bound, or undefined for its default. */
  readonly maxSessions: number | undefined;
  /** Seconds of inactivity after which a session ends, or undefined for the default. */
  readonly timeout: number | undefined;
  /** Believe `X-Forwarded-Proto` (behind a TLS-terminating proxy). */
  readonly trustProxy: boolean;
  /** PEM files of the certificate and its key to serve HTTPS with, or null for plain HTTP. */
  readonly https: { readonly cert: string; readonly key: string } | null;
  /** The access-log format, or null for none. */
  readonly log: (typeof LOG_FORMATS)[number] | null;
  /** How many worker processes serve the port (1: this process serves it alone). */
  readonly workers: number;
}

/**
 * Flags `parseArgs` cannot express: `--log` takes an optional value (`--log json` and
 * `--log combined` become `--log=…`, a bare `--log` becomes `--log=combined`), and `--https`
 * takes two (`--https CERT KEY`, as Twisted's `--https` with its certificate and key).
 */
function normalize(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--log') {
      if ((LOG_FORMATS as readonly string[]).includes(argv[i + 1] ?? '')) out.push(`--log=${argv[++i]!}`);
      else out.push('--log=combined');
    } else if (arg === '--https') {
      const [cert, key] = [argv[i + 1], argv[i + 2]];
      if (cert === undefined || key === undefined || cert.startsWith('-') || key.startsWith('-')) {
        throw new CliError('--https takes two files, the certificate and its key (PEM): --https cert.pem key.pem', 2);
      }
      out.push(`--https-cert=${cert}`, `--https-key=${key}`);
      i += 2;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Parses the arguments after `dovetail`.
 *
 * @throws {CliError} exit code 0 for `--help`, 2 for a usage mistake.
 */
export function parseServeArgs(argv: readonly string[]): ServeOptions {
  const args = normalize(argv);
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        port: { type: 'string', multiple: true },
        host: { type: 'string', multiple: true },
        store: { type: 'string', multiple: true },
        'secret-file': { type: 'string', multiple: true },
        'max-sessions': { type: 'string', multiple: true },
        timeout: { type: 'string', multiple: true },
        log: { type: 'string', multiple: true },
        'trust-proxy': { type: 'boolean' },
        'https-cert': { type: 'string', multiple: true },
        'https-key': { type: 'string', multiple: true },
        workers: { type: 'string', multiple: true },
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
  const log = last(values.log) ?? null;
  if (log !== null && !(LOG_FORMATS as readonly string[]).includes(log)) throw new CliError(`--log takes combined (the default) or json, not '${log}'.`, 2);
  const workersText = last(values.workers);
  const workers = workersText === undefined ? 1 : workersText === 'auto' ? availableParallelism() : Number(workersText);
  if (!(Number.isInteger(workers) && workers > 0)) throw new CliError(`--workers must be a whole number above 0 or auto (one per CPU), not '${workersText}'.`, 2);
  if (workers > 1 && store === 'memory') {
    throw new CliError(`--workers ${workers} needs a store the workers share: --store memory keeps sessions inside each worker. Use --store sqlite:PATH or --store redis://HOST:PORT.`, 2);
  }
  if (workers > 1 && store.startsWith('sqlite+exclusive:')) {
    throw new CliError(`--workers ${workers} needs a store the workers share: --store sqlite+exclusive: keeps the file to one process. Use --store sqlite:PATH (the same file).`, 2);
  }
  return {
    module,
    port,
    host: last(values.host) ?? '127.0.0.1',
    store,
    secretFile: last(values['secret-file']),
    maxSessions,
    timeout,
    trustProxy: values['trust-proxy'] ?? false,
    https: values['https-cert'] === undefined ? null : { cert: last(values['https-cert'])!, key: last(values['https-key'])! },
    log: log as ServeOptions['log'],
    workers,
  };
}
