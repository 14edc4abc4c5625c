#!/usr/bin/env node
import { runInTerminal } from './agent/terminal.js';
import { createBackends } from './backends.js';
import { SessionManager } from './session/session-manager.js';
import { ConfigError, helpText, parseOptions, resolveConfig } from './config.js';
import { log, setLogLevel } from './log.js';
import { SERVER_VERSION } from './mcp/server.js';
import { serveHttp } from './mcp/http.js';
import { serveStdio } from './mcp/stdio.js';

async function main(): Promise<number> {
  let parsed;
  let config;
  try {
    parsed = parseOptions(process.argv.slice(2));
    if (parsed.help) {
      // --help serves no protocol: stdout is the terminal's.
      process.stdout.write(helpText() + '\n');
      return 0;
    }
    if (parsed.version) {
      process.stdout.write(`${SERVER_VERSION}\n`);
      return 0;
    }
    config = resolveConfig(parsed.raw);
    setLogLevel(config.logLevel);
  } catch (error) {
    if (error instanceof ConfigError) {
      log.error(error.message);
      return 2;
    }
    throw error;
  }
  if (parsed.positionals[0] === 'run') return runInTerminal(config, parsed.positionals.slice(1).join(' '));
  if (parsed.positionals.length > 0) {
    log.error(`unknown command ${JSON.stringify(parsed.positionals[0])}. Run cua-mcp --help.`);
    return 2;
  }

  const sessions = new SessionManager(config, createBackends(config));
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

  if (config.http) {
    stopHttp = (await serveHttp(sessions, config)).close;
    return new Promise<number>(() => {}); // serves until a signal ends the process
  }
  await serveStdio(sessions, config);
  await shutdown('client disconnected');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log.error('fatal', error);
    process.exit(1);
  },
);
