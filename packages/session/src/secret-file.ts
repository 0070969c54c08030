/**
 * A cookie-signing secret kept in a file (beside a SQLite database, or named by the CLI's
 * `--secret-file`): created once, race-free, by whichever process comes first.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkSecret } from './signing.js';

const warned = new Set<string>();

/**
 * The secret in `path`, created (32 random bytes, base64url, mode 0600) when the file is
 * missing. The file is written under a private name and then linked into place, which fails when
 * the file exists: of several processes starting together exactly one creates it, and none ever
 * reads a half-written file. A file readable by group or others gets a warning
 * (`DT_WARN_SECRET_FILE_MODE`), once per path.
 *
 * @throws SessionStoreConfigError (`DT_SESSION_STORE_CONFIG`) when the file holds an empty or
 *   short secret (fewer than 32 bytes of UTF-8 once trimmed).
 * @example
 * ```ts
 * const secret = keptSecretFile('var/.dovetail-secret');
 * ```
 */
export function keptSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    create(path);
    text = readFileSync(path, 'utf8');
  }
  const secret = text.trim();
  checkSecret(secret, `the secret file ${path}`, `Delete the file to have a new one made, or write a good secret into it`);
  warnIfShared(path);
  return secret;
}

function create(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process was first: use its secret
  } finally {
    unlinkSync(tmp);
  }
}

function warnIfShared(path: string): void {
  if (process.platform === 'win32' || warned.has(path)) return;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  warned.add(path);
  process.emitWarning(
    `The session secret file ${path} can be read by group or others (mode ${mode.toString(8).padStart(4, '0')}): ` +
      `anyone who reads it can forge session cookies. Run \`chmod 600 ${path}\`.`,
    { code: 'DT_WARN_SECRET_FILE_MODE' },
  );
}
