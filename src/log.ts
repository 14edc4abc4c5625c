/** Logs go to stderr: stdout of the stdio server carries protocol messages only. */
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

let threshold: Level = (process.env.CUA_LOG_LEVEL as Level | undefined) ?? 'info';

export function setLogLevel(level: Level): void {
  threshold = level;
}

function write(level: Level, message: string, extra?: unknown): void {
  if (ORDER[level] < (ORDER[threshold] ?? 20)) return;
  const detail = extra instanceof Error ? ` ${extra.message}` : extra === undefined ? '' : ` ${JSON.stringify(extra)}`;
  process.stderr.write(`[cua-mcp] ${level}: ${message}${detail}\n`);
}

export const log = {
  debug: (message: string, extra?: unknown) => write('debug', message, extra),
  info: (message: string, extra?: unknown) => write('info', message, extra),
  warn: (message: string, extra?: unknown) => write('warn', message, extra),
  error: (message: string, extra?: unknown) => write('error', message, extra),
};
