import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Download } from 'playwright';
import { privateDir } from '../../private-dir.js';
import type { DownloadGuard } from '../policy/download-limits.js';
import type { SessionEvent } from '../../session/events.js';

export type DownloadEvent = Extract<SessionEvent, { kind: 'download' }>;

/** Linux (and most file systems) allow 255 bytes per name, whatever the characters. */
const MAX_NAME_BYTES = 255;
/** Longer "extensions" are part of the name: cutting the name must not drop the whole base. */
const MAX_EXTENSION_BYTES = 32;
/** Create only: fail if the name exists, symlinks (even dangling ones) included; never follow one. */
const EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Saves a download under `<outputDir>/downloads`, never overwriting a file.
 * The name is reserved (created empty, exclusively) when the download
 * starts, so parallel downloads of one name get one file each, and the
 * bytes go into that file through its descriptor: never through a symlink
 * someone planted. The event is reported at once and filled in (path and
 * size, or the error) when `saved` resolves.
 */
export function saveDownload(download: Download, outputDir: string, guard: DownloadGuard): { event: DownloadEvent; saved: Promise<void> } {
  const event: DownloadEvent = { kind: 'download', url: download.url(), filename: download.suggestedFilename() };
  let stopped: () => string | undefined = () => undefined;
  const saved = (async () => {
    const dir = await privateDir(outputDir, 'downloads', 'downloads');
    const { file, target } = await reserve(dir, sanitizeFilename(event.filename));
    try {
      await pipeline(await download.createReadStream(), file.createWriteStream());
      // A limit stopped it, but the last bytes arrived before the cancellation did.
      if (stopped()) throw new Error('stopped at a limit');
    } catch (error) {
      await fs.unlink(target).catch(() => {});
      throw error;
    } finally {
      await file.close().catch(() => {});
    }
    event.path = target;
    event.bytes = (await fs.stat(target)).size;
  })().catch((error: Error) => {
    event.error = stopped() ?? error.message;
  });
  stopped = guard.track(download, saved).reason;
  return { event, saved };
}

/** Creates the first free name of `name`, `name (1)`, ... exclusively; the caller owns the file. */
async function reserve(dir: string, name: string): Promise<{ file: fs.FileHandle; target: string }> {
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= MAX_EXTENSION_BYTES ? name.slice(dot) : '';
  const base = name.slice(0, name.length - ext.length);
  for (let n = 0; ; n++) {
    const target = path.join(dir, fitName(base, n === 0 ? '' : ` (${n})`, ext));
    try {
      return { file: await fs.open(target, EXCLUSIVE, 0o600), target };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** base + suffix + ext within MAX_NAME_BYTES, the base cut between characters. */
function fitName(base: string, suffix: string, ext: string): string {
  let room = MAX_NAME_BYTES - Buffer.byteLength(suffix + ext);
  let kept = '';
  for (const ch of base) {
    room -= Buffer.byteLength(ch);
    if (room < 0) break;
    kept += ch;
  }
  return kept + suffix + ext;
}

function sanitizeFilename(name: string): string {
  const cleaned = [...name]
    .map((ch) => (ch.charCodeAt(0) < 32 || '/\\?%*:|"<>'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+/, '_');
  return cleaned || 'download';
}
