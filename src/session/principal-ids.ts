import { randomUUID } from 'node:crypto';

/** The principal of --auth-token: the one every holder of that token is. */
export const AUTH_TOKEN_PRINCIPAL = 'auth-token';
/** The principal of every caller when no token is set (loopback only): the local user. */
export const LOCAL_PRINCIPAL = 'local';

/** The principal of every HTTP client under --share-sessions. */
export const SHARED_PRINCIPAL = 'shared';

const STDIO_PREFIX = 'stdio:';

/** The principal of one stdio process's one client: new every process. */
export const stdioPrincipal = (): string => `${STDIO_PREFIX}${randomUUID()}`;

/** Ids the server gives its one user; a name in --auth-tokens may not take one, or its holder would share that user's things. */
export const ONE_USER_PRINCIPALS: readonly string[] = [LOCAL_PRINCIPAL, AUTH_TOKEN_PRINCIPAL, SHARED_PRINCIPAL];

/**
 * Whose files sit together: every principal of the one user (stdio
 * processes, the terminal's runs, the token-less or single-token HTTP
 * client) shares the output folder's top level, as before there were
 * principals; each named principal (an --auth-tokens name, an OAuth
 * subject) gets a folder of its own. Undefined: the one user.
 */
export function ownerFolder(owner: string | undefined): string | undefined {
  if (owner === undefined || owner.startsWith(STDIO_PREFIX) || ONE_USER_PRINCIPALS.includes(owner)) return undefined;
  // Injective and free of separators; "." and ".." would name the folder itself or its parent.
  return encodeURIComponent(owner).replace(/^\.{1,2}$/, (dots) => '%2E'.repeat(dots.length));
}
