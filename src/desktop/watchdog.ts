/**
 * The watchdog: a small process of its own that ends what the server
 * started on X displays once the server is gone, however it went (SIGKILL
 * included, where the server runs no code at all).
 *
 * The server holds the other end of this process's stdin and writes one
 * JSON message a line: {"group": PGID, "started": T} for each process group
 * it starts (T: when its leader started), {"ended": PGID} once it has ended
 * one itself, {"folder": PATH} and {"removed": PATH} for its private
 * folders. The pipe closes when the server exits, whatever killed it: then
 * every group still listed is ended (see endGroup) and every folder still
 * listed removed.
 */
import fs from 'node:fs';
import { endGroup, startTime } from './process-group.js';

/** Each group with when its leader started. */
const groups = new Map<number, string>();
const folders = new Set<string>();

/**
 * A group is still the one the server started unless a process that started
 * at another time leads it now: its id was given again after ours ended.
 * (While any member of ours lives, the kernel gives its group id to no one.)
 */
function stillOurs(pgid: number, started: string): boolean {
  const now = startTime(pgid);
  return now === '' || now === started;
}

function handle(line: string): void {
  let message: { group?: unknown; started?: unknown; ended?: unknown; folder?: unknown; removed?: unknown };
  try {
    message = JSON.parse(line) as typeof message;
  } catch {
    return;
  }
  if (typeof message.group === 'number' && message.group > 1) groups.set(message.group, String(message.started ?? ''));
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
  await Promise.all([...groups].filter(([pgid, started]) => stillOurs(pgid, started)).map(([pgid]) => endGroup(pgid)));
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', end);
process.stdin.on('error', end);
