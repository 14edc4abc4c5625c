import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from '../log.js';
import { endGroup, onPath, startTime } from './process-group.js';

const WATCHDOG = fileURLToPath(new URL('./watchdog.js', import.meta.url));

/**
 * What the server started for X displays (process groups) and the private
 * folders it made for them, told to a watchdog process (watchdog.ts) that
 * ends and removes whatever is left once the server is gone, even killed
 * with SIGKILL. The watchdog runs only while it guards something: the last
 * release closes its pipe and it exits.
 */
class Supervisor {
  private watchdog?: ChildProcess;
  /** Each group with when its leader started, so that the watchdog never signals a later group given the same id. */
  private readonly groups = new Map<number, string>();
  private readonly folders = new Set<string>();

  guardGroup(pgid: number): void {
    const started = startTime(pgid);
    this.groups.set(pgid, started);
    this.tell({ group: pgid, started });
  }

  releaseGroup(pgid: number): void {
    if (this.groups.delete(pgid)) this.tell({ ended: pgid });
    this.stopWhenIdle();
  }

  guardFolder(folder: string): void {
    this.folders.add(folder);
    this.tell({ folder });
  }

  releaseFolder(folder: string): void {
    if (this.folders.delete(folder)) this.tell({ removed: folder });
    this.stopWhenIdle();
  }

  private tell(message: Record<string, unknown>): void {
    // A new watchdog hears everything guarded so far, this message included.
    if (!this.watchdog) return this.start();
    this.watchdog.stdin!.write(`${JSON.stringify(message)}\n`);
  }

  private start(): void {
    // It reads nothing from its environment, so it gets none (and none of the server's secrets).
    const watchdog = spawn(process.execPath, [WATCHDOG], { detached: true, stdio: ['pipe', 'ignore', 'ignore'], env: {} });
    this.watchdog = watchdog;
    // Neither the process nor its pipe keeps the server running.
    watchdog.unref();
    (watchdog.stdin as Socket).unref();
    watchdog.stdin!.on('error', () => {});
    watchdog.on('error', (error) =>
      log.warn(`the desktop watchdog did not start (${error.message}): what runs on X displays outlives a killed server`),
    );
    watchdog.on('exit', (code, signal) => {
      if (this.watchdog !== watchdog) return;
      this.watchdog = undefined;
      log.warn(`the desktop watchdog exited (${signal ?? `code ${code}`}); another starts with the next desktop process`);
    });
    const guarded = [
      ...[...this.groups].map(([group, started]) => ({ group, started })),
      ...[...this.folders].map((folder) => ({ folder })),
    ];
    watchdog.stdin!.write(guarded.map((message) => `${JSON.stringify(message)}\n`).join(''));
  }

  private stopWhenIdle(): void {
    if (!this.watchdog || this.groups.size || this.folders.size) return;
    const watchdog = this.watchdog;
    this.watchdog = undefined;
    watchdog.stdin!.end();
  }
}

const supervisor = new Supervisor();

let parentDeath: string[] | undefined;

/**
 * A second line behind the watchdog, for when something kills it with the
 * server (`killall node`): util-linux's setpriv asks the kernel to send the
 * child SIGTERM when the server dies. An Xvfb that ends takes its X
 * clients with it. setpriv has --pdeathsig since util-linux 2.33: tried
 * once, and left out where it fails.
 */
function parentDeathSignal(): string[] {
  parentDeath ??=
    process.platform === 'linux' && onPath('setpriv') && spawnSync('setpriv', ['--pdeathsig', 'TERM', 'true']).status === 0
      ? ['setpriv', '--pdeathsig', 'TERM', '--']
      : [];
  return parentDeath;
}

/**
 * Starts `command` in a process group of its own (so that ending it ends
 * what it started) that ends with the server, even when the server is
 * killed: end it with endProcessGroup.
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions): ChildProcess {
  // A command that cannot run is spawned as it is, so that the spawn error names it.
  const argv = onPath(command) ? [...parentDeathSignal(), command, ...args] : [command, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { ...options, detached: true });
  if (child.pid !== undefined) supervisor.guardGroup(child.pid);
  return child;
}

/** Ends a group spawnGroup started (see endGroup) and stops watching it. */
export async function endProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined) return;
  await endGroup(child.pid);
  supervisor.releaseGroup(child.pid);
}

/**
 * A new folder only the server's user can enter (mkdtemp makes it 0700, under
 * a fresh name no one else can have planted), removed with the server even
 * when the server is killed; removePrivateFolder removes it sooner.
 */
export function privateFolder(prefix: string): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  supervisor.guardFolder(folder);
  return folder;
}

export function removePrivateFolder(folder: string): void {
  fs.rmSync(folder, { recursive: true, force: true });
  supervisor.releaseFolder(folder);
}
