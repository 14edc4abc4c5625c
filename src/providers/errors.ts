import { APIConnectionError, APIUserAbortError } from 'openai';
import { loadedAnthropicSdk } from './anthropic/sdk.js';
import type { ModelProvider } from './provider.js';
import { redactCredentials } from '../redact.js';

export class ModelRequestError extends Error {}

/** An abort by our own signal: the run was cancelled, not failed. */
function isAbort(error: unknown): boolean {
  const anthropic = loadedAnthropicSdk();
  return error instanceof APIUserAbortError || (anthropic !== undefined && error instanceof anthropic.APIUserAbortError) || (error as Error | undefined)?.name === 'AbortError';
}

/** The endpoint could not be reached at all (DNS, refused, reset, timeout). */
function isUnreachable(error: unknown): error is Error {
  const anthropic = loadedAnthropicSdk();
  if (error instanceof APIConnectionError || (anthropic !== undefined && error instanceof anthropic.APIConnectionError)) return true;
  // @google/genai uses fetch directly: an unreachable host is fetch's TypeError.
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/**
 * Turns an SDK failure (openai, @anthropic-ai/sdk, @google/genai) into a
 * message naming what was tried and what to check. The SDKs differ in
 * classes but agree on the facts read here: an HTTP status, or none when
 * the endpoint could not be reached.
 */
export function explainModelError(error: unknown, provider: ModelProvider): Error {
  if (isAbort(error)) return error as Error;
  const explained = explain(error, provider);
  // The SDK's own words may quote the endpoint, credentials and all.
  explained.message = redactCredentials(explained.message);
  return explained;
}

function explain(error: unknown, provider: ModelProvider): Error {
  if (isUnreachable(error)) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return new ModelRequestError(`Could not reach the ${provider.description}: ${error.message}${cause}. Check the endpoint URL and the network.`, { cause: error });
  }
  const failure = error as { message?: string; status?: unknown; error?: unknown } | undefined;
  if (typeof failure?.status === 'number') {
    const hint = provider.hint(failure.status);
    return new ModelRequestError(`The ${provider.description} answered ${failure.status}: ${errorDetail(failure)}${hint ? `\n${hint}` : ''}`, { cause: error });
  }
  return new ModelRequestError(`Model request to the ${provider.description} failed: ${failure?.message ?? String(error)}`, { cause: error });
}

/**
 * The endpoint's own words, `{error: {message}}`: the openai SDK keeps the
 * inner object, @anthropic-ai/sdk the whole body, @google/genai puts the
 * body's JSON in its message.
 */
function errorDetail(failure: { message?: string; error?: unknown }): string {
  let body = failure.error as { message?: unknown; error?: { message?: unknown } } | undefined;
  if (body === undefined && failure.message?.startsWith('{')) {
    try {
      body = JSON.parse(failure.message) as typeof body;
    } catch {
      // not JSON: the message is the detail
    }
  }
  const message = body?.message ?? body?.error?.message;
  return typeof message === 'string' ? message : (failure.message ?? 'no detail');
}
