import type OpenAI from 'openai';
import { log } from '../log.js';

/** A configured Responses API client and how to name it in error messages. */
export interface ModelProvider {
  readonly kind: 'azure' | 'openai';
  readonly client: OpenAI;
  /** The model (OpenAI) or deployment (Azure) sent as `model`. */
  readonly model: string;
  /** e.g. `Azure OpenAI endpoint https://x.openai.azure.com/openai/v1/, deployment "computer-use-preview"` */
  readonly description: string;
  /** What to check when the endpoint answers with this HTTP status. */
  hint(status: number): string;
}

/**
 * The SDK's logging, routed to our stderr logger. The SDK retries failed requests itself (--model-retries,
 * with backoff) and says so only at its `info` level: each retry is shown as a warning, so a run against an
 * unreachable or overloaded endpoint does not sit silent for the seconds the retries take.
 */
export function sdkLogging(endpoint: string) {
  const retry = /(?:^\[log_\w+\] )?(.*retrying, \d+ attempts? remaining.*)$/;
  return {
    logLevel: 'info' as const,
    logger: {
      debug: (message: string) => log.debug(`openai: ${message}`),
      info: (message: string) => {
        const retrying = retry.exec(message);
        if (retrying) log.warn(`model request to ${endpoint}: ${retrying[1]}`);
        else log.debug(`openai: ${message}`);
      },
      warn: (message: string, ...rest: unknown[]) => log.warn(`openai: ${message}`, rest.length ? rest : undefined),
      error: (message: string, ...rest: unknown[]) => log.error(`openai: ${message}`, rest.length ? rest : undefined),
    },
  };
}
