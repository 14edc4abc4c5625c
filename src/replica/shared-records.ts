import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { log } from '../log.js';
import { privateDir } from '../private-dir.js';
import type { SessionOwnership } from '../session/session-manager.js';
import { replicaOf } from '../session/handles.js';

/** How often a replica refreshes its record's time: the last sign of life the others report once it is gone. */
const HEARTBEAT_MS = 5000;

/** replicas/<name>.json: who runs under a name now. A restart under the same name (a StatefulSet pod) is a new instance. */
interface ReplicaRecord {
  replica: string;
  instance: string;
  pid: number;
  host: string;
  started: string;
}

/** replicas/sessions/<session_id>.json: which replica (and instance of it) holds a session, and for whom. */
interface SessionRecord {
  session_id: string;
  replica: string;
  instance: string;
  owner: string;
  opened: string;
}

/**
 * What the replicas of one deployment keep in the output folder they all
 * share (beside the recordings, runs/): each replica's record, its time
 * refreshed while it lives, and the sessions each one holds. A replica
 * that gets a handle it does not hold (the load balancer sent it there
 * because the owner is gone) reads them to tell the client what happened
 * instead of "no such session".
 */
export class SharedRecords implements SessionOwnership {
  private readonly instance = randomUUID();

  private constructor(
    private readonly replica: string,
    private readonly dir: string,
    private readonly sessionsDir: string,
    private readonly runsDir: string,
  ) {
    const heartbeat = setInterval(() => {
      const now = new Date();
      fs.promises
        .utimes(this.replicaFile(replica), now, now)
        .catch((error: unknown) => log.warn(`replica record not refreshed: ${(error as Error).message}`));
    }, HEARTBEAT_MS);
    heartbeat.unref();
  }

  /** Writes this replica's record under <outputDir>/replicas/ (private to this user, as the recordings are). */
  static async start(replica: string, outputDir: string, runsDir: string): Promise<SharedRecords> {
    const dir = await privateDir(outputDir, 'replicas', 'replica records');
    const sessionsDir = await privateDir(dir, 'sessions', 'replica records');
    const records = new SharedRecords(replica, dir, sessionsDir, runsDir);
    const record: ReplicaRecord = {
      replica,
      instance: records.instance,
      pid: process.pid,
      host: os.hostname(),
      started: new Date().toISOString(),
    };
    await writeWhole(records.replicaFile(replica), record);
    log.info(`replica ${replica}: records in ${dir}, recordings in ${runsDir}`);
    return records;
  }

  private replicaFile(replica: string): string {
    return path.join(this.dir, `${replica}.json`);
  }

  /** Only handles of the form NAME.UUID name a file: anything else a client sends never becomes a path. */
  private sessionFile(id: string): string | undefined {
    return replicaOf(id) ? path.join(this.sessionsDir, `${id}.json`) : undefined;
  }

  opened(session: { id: string; owner: string }): void {
    const file = this.sessionFile(session.id);
    if (!file) return;
    const record: SessionRecord = {
      session_id: session.id,
      replica: this.replica,
      instance: this.instance,
      owner: session.owner,
      opened: new Date().toISOString(),
    };
    writeWhole(file, record).catch((error: unknown) => log.warn(`session ${session.id} not recorded as ours: ${(error as Error).message}`));
  }

  closed(id: string): void {
    const file = this.sessionFile(id);
    if (file)
      fs.promises
        .rm(file, { force: true })
        .catch((error: unknown) => log.warn(`session ${id} record not removed: ${(error as Error).message}`));
  }

  /**
   * Why the owner's session `id`, which this replica does not hold, is
   * gone: its replica died or restarted. Only the owner learns it (to
   * anyone else the handle stays "no such session"). Read synchronously:
   * two small files, on this error path only.
   */
  lost(id: string, owner: string): string | undefined {
    const file = this.sessionFile(id);
    const record = file && readJson<SessionRecord>(file);
    if (!record || record.owner !== owner || (record.replica === this.replica && record.instance === this.instance)) return undefined;
    const replicaFile = this.replicaFile(record.replica);
    const current = readJson<ReplicaRecord>(replicaFile);
    const gone =
      current && current.instance !== record.instance
        ? `replica ${record.replica}, restarted at ${current.started}`
        : `replica ${record.replica}, gone since ${lastSignOfLife(replicaFile) ?? 'an unknown time'}`;
    return (
      `Browser session "${id}" was lost with its server (${gone}), with its pages, cookies and tabs; nothing was done. ` +
      `Its recordings are at ${this.runsDir} (resources cua-mcp://runs/...). Open a new session with new_session.`
    );
  }
}

/** Written beside, then renamed into place: another replica reading it never sees half a record. */
async function writeWhole(file: string, record: object): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  await fs.promises.writeFile(temporary, JSON.stringify(record) + '\n', { mode: 0o600 });
  await fs.promises.rename(temporary, file);
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function lastSignOfLife(file: string): string | undefined {
  try {
    return fs.statSync(file).mtime.toISOString();
  } catch {
    return undefined;
  }
}
