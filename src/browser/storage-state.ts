import fs from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext } from 'playwright';
import { privateDir } from '../private-dir.js';
import type { SavedLogins } from '../session/computer-session.js';

/** Where saved logins go, under the output directory. */
export const STORAGE_STATE_DIR = 'storage-state';

/** A name that stays inside the folder: letters, digits, dot, dash, underscore. */
const NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;

/**
 * Writes a session's cookies and local storage (`read`) to
 * `<outputDir>/storage-state/[<folder>/]<name>.json`: a private folder, a
 * file only this user can read (0600), replaced whole (written aside, then
 * renamed). `folder` is the principal's own (see ownerFolder), so one
 * principal never replaces another's file. The file holds login secrets:
 * its path is reported, its content never is.
 */
export async function saveStorageState(
  read: () => ReturnType<BrowserContext['storageState']>,
  outputDir: string,
  name: string,
  folder?: string,
): Promise<SavedLogins> {
  const base = name.replace(/\.json$/i, '');
  if (!NAME.test(base))
    throw new Error(
      `name ${JSON.stringify(name)} must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit`,
    );
  const state = await read();
  const top = await privateDir(outputDir, STORAGE_STATE_DIR, 'saved logins');
  const dir = folder === undefined ? top : await privateDir(top, folder, 'saved logins');
  const target = path.join(dir, `${base}.json`);
  const aside = `${target}.${process.pid}.tmp`;
  await fs.writeFile(aside, JSON.stringify(state), { mode: 0o600, flag: 'wx' });
  await fs.rename(aside, target);
  return { path: target, cookies: state.cookies.length, origins: state.origins.length };
}
