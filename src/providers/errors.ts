import { redactCredentials } from '../redact.js';

export class ModelRequestError extends Error {}

/**
 * How one SDK's failures are told apart. The SDKs differ in classes but
 * agree on the facts read from them: an HTTP status, or none when the
 * endpoint could not be reached.
 */
export interface SdkErrors {
  /** The SDK's own error for a request aborted by our signal (fetch's AbortError is known without it). */
  isAbort?(error: unknown): boolean;
  /** The endpoint could not be reached at all (DNS, refused, reset, timeout). */
  isUnreachable(error: unknown): error is Error;
}

/** What a provider says about its endpoint in an error. */
export interface EndpointWords {
  /** e.g. `OpenAI endpoint https://api.openai.com/v1, model "computer-use-preview"` */
  description: string;
  /** What to check when the endpoint answers with this HTTP status ('' for nothing particular). */
  hint(status: number): string;
}

/**
 * Turns an SDK failure into a message naming what was tried and what to
 * check; an abort by our own signal is returned as it is (the run was
 * cancelled, not failed).
 */
export function explainModelError(error: unknown, sdk: SdkErrors, endpoint: EndpointWords): Error {
  if (sdk.isAbort?.(error) || (error as Error | undefined)?.name === 'AbortError') return error as Error;
  const explained = explain(error, sdk, endpoint);
  // The SDK's own words may quote the endpoint, credentials and all.
  explained.message = redactCredentials(explained.message);
  return explained;
}

function explain(error: unknown, sdk: SdkErrors, { description, hint }: EndpointWords): Error {
  if (sdk.isUnreachable(error)) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return new ModelRequestError(`Could not reach the ${description}: ${error.message}${cause}. Check the endpoint URL and the network.`, {
      cause: error,
    });
  }
  const failure = error as { message?: string; status?: unknown; error?: unknown } | undefined;
  if (typeof failure?.status === 'number') {
    const advice = hint(failure.status);
    return new ModelRequestError(`The ${description} answered ${failure.status}: ${errorDetail(failure)}${advice ? `\n${advice}` : ''}`, {
      cause: error,
    });
  }
  return new ModelRequestError(`Model request to the ${description} failed: ${failure?.message ?? String(error)}`, { cause: error });
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
