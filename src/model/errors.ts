import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ModelProvider } from './provider.js';

export class ModelRequestError extends Error {}

/** Turns an SDK failure into a message naming what was tried and what to check. */
export function explainModelError(error: unknown, provider: ModelProvider): Error {
  if (error instanceof APIUserAbortError) return error;
  if (error instanceof APIConnectionError) {
    return new ModelRequestError(`Could not reach the ${provider.description}: ${error.message}${error.cause ? ` (${(error.cause as Error).message})` : ''}. Check the endpoint URL and the network.`, { cause: error });
  }
  if (error instanceof APIError && error.status !== undefined) {
    const detail = (error.error as { message?: string } | undefined)?.message ?? error.message;
    const hint = provider.hint(error.status);
    return new ModelRequestError(`The ${provider.description} answered ${error.status}: ${detail}${hint ? `\n${hint}` : ''}`, { cause: error });
  }
  return new ModelRequestError(`Model request to the ${provider.description} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
