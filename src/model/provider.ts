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

/** The SDK's own logger writes to the console; route it to our stderr logger instead. */
export const sdkLogger = {
  debug: (message: string, ...rest: unknown[]) => log.debug(`openai: ${message}`, rest.length ? rest : undefined),
  info: (message: string, ...rest: unknown[]) => log.debug(`openai: ${message}`, rest.length ? rest : undefined),
  warn: (message: string, ...rest: unknown[]) => log.warn(`openai: ${message}`, rest.length ? rest : undefined),
  error: (message: string, ...rest: unknown[]) => log.error(`openai: ${message}`, rest.length ? rest : undefined),
};
