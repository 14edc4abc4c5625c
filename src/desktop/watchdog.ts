/**
 * The watchdog: a small process of its own that ends what the server
 * started on X displays once the server is gone, however it went (SIGKILL
 * included, where the server runs no code at all).
 *
 * The server holds the other end of this process's stdin and writes one
 * JSON message a line: {"group": PGID} for each process group it starts,
 * {"ended": PGID} once it has ended one itself, {"folder": PATH} and
 * {"removed": PATH} for its private folders. The pipe closes when the
 * server exits, whatever killed it: then every group still listed is ended
 * (see endGroup) and every folder still listed removed.
 */
import fs from 'node:fs';
import { endGroup } from './process-group.js';

const groups = new Set<number>();
const folders = new Set<string>();

function handle(line: string): void {
  let message: { group?: unknown; ended?: unknown; folder?: unknown; removed?: unknown };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    return;
  }
  if (typeof message.group === 'number' && message.group > 1) groups.add(message.group);
  if (typeof message.ended === 'number') groups.delete(message.ended);
  if (typeof message.folder === 'string') folders.add(message.folder);
  if (typeof message.removed === 'string') folders.delete(message.removed);
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop()!;
  lines.forEach(handle);
});
let ending = false;
const end = async () => {
  if (ending) return;
  ending = true;
  await Promise.all([...groups].map(endGroup));
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', end);
process.stdin.on('error', end);
