import fs from 'node:fs/promises';
import path from 'node:path';
import type { Download } from 'playwright';
import type { SessionEvent } from '../session/events.js';

export type DownloadEvent = Extract<SessionEvent, { kind: 'download' }>;

/**
 * Saves a download under `<outputDir>/downloads`, never overwriting a file.
 * The event is reported at once and filled in (path and size, or the
 * error) when `saved` resolves.
 */
export function saveDownload(download: Download, outputDir: string): { event: DownloadEvent; saved: Promise<void> } {
  const event: DownloadEvent = { kind: 'download', url: download.url(), filename: download.suggestedFilename() };
  const saved = (async () => {
    const dir = path.join(outputDir, 'downloads');
    await fs.mkdir(dir, { recursive: true });
    const target = await uniquePath(dir, sanitizeFilename(event.filename));
    await download.saveAs(target);
    event.path = target;
    event.bytes = (await fs.stat(target)).size;
  })().catch((error: Error) => {
    event.error = error.message;
  });
  return { event, saved };
}

function sanitizeFilename(name: string): string {
  const cleaned = [...name]
    .map((ch) => (ch.charCodeAt(0) < 32 || '/\\?%*:|"<>'.includes(ch) ? '_' : ch))
    .join('')
    .replace(/^\.+/, '_');
  return cleaned.slice(0, 200) || 'download';
}

async function uniquePath(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const base = name.slice(0, name.length - ext.length);
  for (let n = 0; ; n++) {
    const candidate = path.join(dir, n === 0 ? name : `${base} (${n})${ext}`);
    try {
      await fs.access(candidate);
    } catch {
      return candidate;
    }
  }
}
