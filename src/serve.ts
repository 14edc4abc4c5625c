import { createBackends } from './backends.js';
import { childEnvironment } from './child-env.js';
import { PROVIDER_VARIABLES } from './providers/index.js';
import type { ServerConfig } from './mcp/server-config.js';
import { log } from './log.js';
import { SessionManager } from './session/session-manager.js';
import { SharedRecords } from './replica/shared-records.js';

/** How often the server looks whether the process that started it is still there. */
const PARENT_CHECK_MS = 1000;

/**
 * Calls `gone` once the process that started this one has exited. A parent
 * that dies does not always take us along: `npm start` stopped with SIGTERM
 * exits without passing the signal on, and stdin may be a terminal that
 * never closes. Our browser would then run on, orphaned.
 */
function watchParent(gone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch (error) {
      // EPERM: it exists, as another user's process.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') return;
      clearInterval(timer);
      gone();
    }
  }, PARENT_CHECK_MS);
  timer.unref();
}

/** Serves MCP (stdio, or HTTP with --port) until the client, a signal or the parent process ends it; stops every session first. */
export async function serve(config: ServerConfig): Promise<number> {
  const records = config.replica ? await SharedRecords.start(config.replica, config.outputDir, config.recording.dir) : undefined;
  const sessions = new SessionManager(config, createBackends(config, childEnvironment(process.env, PROVIDER_VARIABLES)), records);
  let stopping: Promise<void> | undefined;
  let stopHttp: (() => Promise<void>) | undefined;
  // A signal during a shutdown already under way (a client that closes stdin, then sends SIGTERM) waits for it: exiting at once would orphan what the sessions started.
  const shutdown = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      log.info(`shutting down (${reason})`);
      await stopHttp?.();
      await sessions.shutdown();
    })());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => void shutdown(signal).then(() => process.exit(0)));
  }
  watchParent(() => void shutdown('the process that started the server has exited').then(() => process.exit(0)));

  if (config.http) {
    // Each transport loads only its own modules: stdio never waits for the HTTP stack (hono, OAuth) before its first answer.
    const { serveHttp } = await import('./mcp/http.js');
    stopHttp = (await serveHttp(sessions, config)).close;
    return new Promise<number>(() => {}); // serves until a signal ends the process
  }
  const { serveStdio } = await import('./mcp/stdio.js');
  await serveStdio(sessions, config);
  await shutdown('client disconnected');
  return 0;
}
