import readline from 'node:readline/promises';
import { createBackends } from './backends.js';
import { childEnvironment } from './child-env.js';
import { SessionManager } from './session/session-manager.js';
import type { ServerConfig } from './mcp/server-config.js';
import { log } from './log.js';
import { Runs } from './runs.js';
import { ModelNotConfiguredError, PROVIDER_VARIABLES } from './providers/index.js';
import { recordingOf } from './recording/record-run.js';
import type { RunObserver, RunReport } from './agent/run.js';
import { describeUsage } from './agent/usage.js';

/** Lines from stdin, one reader for the whole run (a second reader would lose buffered input). */
class Prompt {
  private readonly rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  private isClosed = false;
  private readonly closed = new Promise<undefined>((resolve) =>
    this.rl.once('close', () => {
      this.isClosed = true;
      resolve(undefined);
    }),
  );

  /** stdin has ended: nobody can answer any more. */
  get ended(): boolean {
    return this.isClosed;
  }

  /** The answer, or undefined when stdin has ended. */
  async ask(question: string): Promise<string | undefined> {
    if (this.isClosed) return undefined;
    return Promise.race([this.rl.question(question), this.closed]);
  }

  close(): void {
    this.rl.close();
  }
}

const EXIT: Record<RunReport['status'], number> = {
  completed: 0,
  failed: 1,
  running: 1,
  max_steps: 3,
  needs_confirmation: 3,
  cancelled: 3,
  denied: 3,
};

/**
 * `cua-mcp run "task"`: Azure's Python computer-use sample, done properly. The same loop as
 * run_task, in this terminal: prints actions and reasoning, asks y/n
 * before a flagged action runs, and records the run as run_task does
 * (screenshots, steps.jsonl, report.html in <output-dir>/runs/<run_id>/).
 * Exit code: 0 completed, 1 failed, 2 not configured, 3 stopped otherwise.
 */
export async function runInTerminal(config: ServerConfig, taskArgument: string | undefined): Promise<number> {
  const runs = new Runs(config);
  let provider;
  try {
    provider = runs.provider;
  } catch (error) {
    if (!(error instanceof ModelNotConfiguredError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }
  try {
    await provider.checkCredentials?.();
  } catch (error) {
    // Before the browser opens and a run is recorded: the run could not make one model request.
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  const prompt = new Prompt();
  // `cua-mcp run` is a terminal program, never the stdio server: its report goes to stdout, its prompts and errors to stderr.
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const given = taskArgument?.trim();
    const task = given || (await prompt.ask('Task: '))?.trim();
    if (!task) {
      process.stderr.write('\nNo task given: cua-mcp run "what to do" [--start-url URL]\n');
      return 2;
    }
    // A terminal echoed the typed task after the prompt; piped stdin did not, and the prompt line still waits for it.
    if (given) out(`Task: ${task}`);
    else if (!process.stdin.isTTY) out(task);
    out(`Using the ${provider.description}`);

    const sessions = new SessionManager(config, createBackends(config, childEnvironment(process.env, PROVIDER_VARIABLES)));
    const controller = new AbortController();
    const onInterrupt = () => {
      if (controller.signal.aborted) process.exit(130);
      out('Stopping after the current action (Ctrl+C again to quit now)...');
      controller.abort();
    };
    process.on('SIGINT', onInterrupt);
    try {
      const session = await sessions.create('terminal', { startUrl: config.startUrl });
      const run = await runs.start(session, task);
      const recording = recordingOf(run);
      if (recording) out(`Recording to ${recording.dir}`);
      const observer: RunObserver = {
        showsErrors: true,
        step: (done, total, description) => out(`step ${done}/${total}: ${description}`),
        reasoning: (summary) => out(`  thinking: ${summary}`),
        action: (description) => out(`  > ${description}`),
        async confirm(paused) {
          out(`\nSafety check before: ${(paused.pending ?? []).flatMap((c) => c.descriptions).join('; ')}`);
          for (const check of paused.pendingChecks) out(`  ${check.code}: ${check.message}`);
          const answer = prompt.ended ? undefined : (await prompt.ask('Run this action? [y/N] '))?.trim().toLowerCase();
          if (answer === undefined) {
            out('No terminal to ask (stdin is not a terminal and has ended): denied, the action is dropped.');
            return { decision: 'deny', by: 'no-terminal' };
          }
          const decision = answer === 'y' || answer === 'yes' ? 'approve' : 'deny';
          out(decision === 'approve' ? 'Approved.' : 'Denied: the action is dropped.');
          return { decision, by: 'terminal' };
        },
      };
      run.watch(observer);
      // Ctrl+C before the run started (while the browser opened) cancels it at once.
      if (controller.signal.aborted) run.cancel();
      else controller.signal.addEventListener('abort', () => run.cancel(), { once: true });
      await run.stopped();
      const report = run.report();
      out(`\n${report.status} after ${report.steps} step(s)${report.error ? `: ${report.error}` : ''}`);
      if (report.message) out(report.message);
      if (report.usage?.requests) out(describeUsage(report.usage));
      if (recording) out(`Report: ${recording.reportPath}`);
      return EXIT[report.status];
    } finally {
      process.off('SIGINT', onInterrupt);
      await sessions.shutdown();
    }
  } catch (error) {
    log.error('run failed', error);
    return 1;
  } finally {
    prompt.close();
  }
}
