import type { ChildProcess } from 'node:child_process';
import { log } from '../log.js';
import { endProcessGroup, spawnGroup } from './supervisor.js';
import type { AppSpec } from './app-specs.js';
import type { XDisplay } from './x-display.js';

/** One launched application: its process group is ended with the session. */
export interface LaunchedApp {
  app: string;
  pid: number;
  /** Set once the process has exited. */
  exit?: { code: number | null; signal: string | null; stderr: string };
}

/**
 * The applications a desktop session started. Each runs on the session's
 * display in its own process group, so ending it also ends what it
 * started (a browser's helper processes, a terminal's shell).
 */
export class LaunchedApps {
  private readonly children: { child: ChildProcess; launched: LaunchedApp }[] = [];

  constructor(private readonly display: Pick<XDisplay, 'name' | 'env'>) {}

  /** Starts `spec`; calls `onExit` when it ends by itself. Rejects if the command cannot be started at all. */
  launch(spec: AppSpec, onExit: (app: LaunchedApp) => void): Promise<LaunchedApp> {
    return new Promise((resolve, reject) => {
      const child = spawnGroup(spec.argv[0]!, spec.argv.slice(1), {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...this.display.env },
      });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1000)));
      child.once('error', (error) => reject(new Error(`Could not start ${spec.name} (${spec.argv[0]}): ${error.message}`)));
      child.once('spawn', () => {
        const launched: LaunchedApp = { app: spec.name, pid: child.pid! };
        this.children.push({ child, launched });
        log.info(`launched ${spec.name} (pid ${child.pid}) on ${this.display.name}`);
        child.once('exit', (code, signal) => {
          launched.exit = { code, signal, stderr: stderr.trim() };
          onExit(launched);
        });
        resolve(launched);
      });
    });
  }

  /** The process groups of the applications still running (each is its group's leader). */
  groups(): number[] {
    return this.children.filter(({ launched }) => !launched.exit).map(({ launched }) => launched.pid);
  }

  /** Ends every launched application and whatever it started in its process group. */
  async endAll(): Promise<void> {
    const children = this.children.splice(0);
    await Promise.all(children.map(({ child }) => endProcessGroup(child)));
  }
}
