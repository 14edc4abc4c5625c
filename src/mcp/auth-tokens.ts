import fs from 'node:fs';

/** A bearer token and the principal (a person or an agent) it stands for. */
export interface TokenPrincipal {
  token: string;
  principal: string;
}

const NAME = /^[\w.@+-]{1,64}$/;
const MIN_TOKEN = 16;

class OpenFileError extends Error {}

/**
 * Like ssh with a private key: a tokens file other users may read (or write) is refused, since
 * whoever reads it can act as every principal in it. Checked on the open file, so what is checked is what is read.
 */
function checkPrivate(file: string, stat: fs.Stats): void {
  if (process.platform === 'win32') return; // no POSIX modes there: NTFS ACLs guard the file
  if (!stat.isFile()) throw new OpenFileError(`${file} is not a regular file`);
  const mode = stat.mode & 0o777;
  if (mode & 0o077) {
    throw new OpenFileError(
      `${file} is open to other users (mode ${mode.toString(8).padStart(4, '0')}): anyone who can read it can use its tokens. ` +
        `Make it private with: chmod 600 ${/^[\w./@%+=:,-]+$/.test(file) ? file : `'${file.replaceAll("'", "'\\''")}'`}`,
    );
  }
}

/**
 * --auth-tokens FILE: one principal per line, `NAME TOKEN`, blank lines and
 * `#` comments skipped. Each name is a principal of its own: it sees only
 * its own sessions, runs and recordings.
 */
export function readAuthTokens(file: string): TokenPrincipal[] {
  let text: string;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    checkPrivate(file, fs.fstatSync(fd));
    text = fs.readFileSync(fd, 'utf8');
  } catch (error) {
    if (error instanceof OpenFileError) throw error;
    throw new Error(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  const entries: TokenPrincipal[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [principal, token, ...rest] = line.split(/\s+/);
    const where = `${file} line ${index + 1}`;
    if (!principal || !token || rest.length) throw new Error(`${where}: expected "NAME TOKEN" (two fields separated by spaces)`);
    if (!NAME.test(principal)) throw new Error(`${where}: the name may use letters, digits and . _ @ + - (at most 64)`);
    if (token.length < MIN_TOKEN) throw new Error(`${where}: the token of ${principal} is shorter than ${MIN_TOKEN} characters`);
    if (entries.some((e) => e.token === token))
      throw new Error(`${where}: the token of ${principal} is already another line's; each principal needs its own`);
    entries.push({ principal, token });
  }
  if (!entries.length) throw new Error(`${file} names no principal: write one "NAME TOKEN" line per principal`);
  return entries;
}
