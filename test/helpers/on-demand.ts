import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Packages that only a test or the bench needs (the real MCP clients, Node 22
 * and the conformance suite, the bench's contender) live in folders of their
 * own under scripts/, each with a package.json and a package-lock.json, so a
 * user's `npm install` carries none of them. The test that needs one installs
 * it on first use with `npm ci` from the lockfile.
 */
const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts');

/** Which lockfile a node_modules was installed from: a folder whose lockfile changed is installed again. */
const STAMP = '.installed-from-lockfile';

/**
 * The node_modules of scripts/<folder>, installed with `npm ci` unless it
 * already holds what the lockfile names. The install goes to a scratch folder
 * first and is renamed into place whole, so an interrupted install is never
 * taken for a finished one, and two test processes installing at once both
 * end with the same complete folder.
 */
export async function onDemand(folder: string): Promise<string> {
  const dir = path.join(SCRIPTS, folder);
  const modules = path.join(dir, 'node_modules');
  const lock = createHash('sha256')
    .update(fs.readFileSync(path.join(dir, 'package-lock.json')))
    .digest('hex');
  const stamp = path.join(modules, STAMP);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lock) return modules;

  const scratch = fs.mkdtempSync(path.join(dir, '.install-'));
  try {
    for (const file of ['package.json', 'package-lock.json']) fs.copyFileSync(path.join(dir, file), path.join(scratch, file));
    await promisify(execFile)('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: scratch,
      timeout: 600_000,
    }).catch((error: { stderr?: string; message: string }) => {
      throw new Error(
        `npm ci in scripts/${folder} failed (it needs the npm registry, or its packages in the npm cache):\n${error.stderr ?? error.message}`,
      );
    });
    fs.writeFileSync(path.join(scratch, 'node_modules', STAMP), lock);
    if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === lock) return modules; // another process finished first
    if (fs.existsSync(modules)) fs.renameSync(modules, path.join(scratch, 'stale'));
    try {
      fs.renameSync(path.join(scratch, 'node_modules'), modules);
    } catch (error) {
      // Another process put its install in place first: the same lockfile, so use that one.
      if (!fs.existsSync(stamp) || fs.readFileSync(stamp, 'utf8') !== lock) throw error;
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return modules;
}
