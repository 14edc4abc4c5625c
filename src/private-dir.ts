import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * `<parent>/<name>`, created private (0700) to this user, for what the
 * server writes there (`what`: "downloads", "recordings"). A folder another
 * user owns (e.g. one created first in a shared /tmp) or a symlink in place
 * of `<name>` is refused: whoever controls it could read what is written,
 * or redirect it anywhere.
 */
export async function privateDir(parent: string, name: string, what: string): Promise<string> {
  const dir = path.join(parent, name);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  for (const [folder, info] of [
    [parent, await fs.stat(parent)],
    [dir, await fs.lstat(dir)],
  ] as const) {
    if (!info.isDirectory()) throw new Error(`${folder} is not a directory (a symlink?); refusing to write ${what} there`);
    if (uid !== undefined && info.uid !== uid) {
      throw new Error(
        `${folder} belongs to another user (uid ${info.uid}); refusing to write ${what} there. Choose a folder of your own with --output-dir.`,
      );
    }
  }
  return dir;
}
