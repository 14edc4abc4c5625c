import { log } from '../log.js';

/**
 * An SDK's logging (openai, @anthropic-ai/sdk: the same log lines), routed to our stderr logger. The SDK retries failed requests itself (--model-retries,
 * with backoff) and says so only at its `info` level: each retry is shown as a warning, so a run against an
 * unreachable or overloaded endpoint does not sit silent for the seconds the retries take.
 */
export function sdkLogging(sdk: string, endpoint: string) {
  const retry = /(?:^\[log_\w+\] )?(.*retrying, \d+ attempts? remaining.*)$/;
  return {
    logLevel: 'info' as const,
    logger: {
      debug: (message: string) => log.debug(`${sdk}: ${message}`),
      info: (message: string) => {
        const retrying = retry.exec(message);
        if (retrying) log.warn(`model request to ${endpoint}: ${retrying[1]}`);
        else log.debug(`${sdk}: ${message}`);
      },
      warn: (message: string, ...rest: unknown[]) => log.warn(`${sdk}: ${message}`, rest.length ? rest : undefined),
      error: (message: string, ...rest: unknown[]) => log.error(`${sdk}: ${message}`, rest.length ? rest : undefined),
    },
  };
}
