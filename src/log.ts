import { redactCredentials } from './redact.js';

/** Logs go to stderr: stdout of the stdio server carries protocol messages only. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** 'info' until the command line is read (--log-level / CUA_LOG_LEVEL). */
let threshold: LogLevel = 'info';

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

function write(level: LogLevel, message: string, extra?: unknown): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const detail = extra instanceof Error ? ` ${extra.message}` : extra === undefined ? '' : ` ${JSON.stringify(extra)}`;
  process.stderr.write(redactCredentials(`[cua-mcp] ${level}: ${message}${detail}\n`));
}

export const log = {
  debug: (message: string, extra?: unknown) => write('debug', message, extra),
  info: (message: string, extra?: unknown) => write('info', message, extra),
  warn: (message: string, extra?: unknown) => write('warn', message, extra),
  error: (message: string, extra?: unknown) => write('error', message, extra),
};
