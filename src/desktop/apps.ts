import type { ChildProcess } from 'node:child_process';
import { childEnvironment } from '../child-env.js';
import { log } from '../log.js';
import { endProcessGroup, spawnGroup } from './supervisor.js';
import type { XDisplay } from './x-display.js';

/** An application the operator allowed (--desktop-app NAME=COMMAND): the only things launch_app can start. */
export interface AppSpec {
  name: string;
  /** The command split into arguments; it runs without a shell. */
  argv: string[];
}

export class AppSpecError extends Error {}

/**
 * Splits a command line into arguments the way a shell would for plain
 * words and quotes ('...', "...", backslash), and nothing more: no
 * variables, globs, pipes or `;`, since no shell ever runs it.
 */
export function splitCommand(command: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) current += command[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      current += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new AppSpecError(`unclosed ${quote} quote in ${JSON.stringify(command)}`);
  if (inWord) args.push(current);
  return args;
}

/** "NAME=COMMAND" entries, one a line or separated by ";" (the form CUA_DESKTOP_APPS takes). */
export function parseAppSpecs(text: string): AppSpec[] {
  const specs: AppSpec[] = [];
  for (const entry of text.split(/[;\n]/).map((e) => e.trim()).filter(Boolean)) {
    const match = /^([A-Za-z0-9][\w.-]*)\s*=\s*(.+)$/.exec(entry);
    if (!match) throw new AppSpecError(`${JSON.stringify(entry)} is not NAME=COMMAND (e.g. xterm=xterm, or "browser=chromium --no-first-run")`);
    const name = match[1]!;
    if (specs.some((s) => s.name === name)) throw new AppSpecError(`the application ${name} is named twice`);
    const argv = splitCommand(match[2]!);
    if (argv.length === 0) throw new AppSpecError(`the application ${name} has no command`);
    specs.push({ name, argv });
  }
  return specs;
}

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
        env: { ...childEnvironment(), ...this.display.env },
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
