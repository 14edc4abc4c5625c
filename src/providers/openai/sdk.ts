import type OpenAI from 'openai';
import type { SdkErrors } from '../errors.js';

let loaded: typeof OpenAI | undefined;

/** The openai SDK, imported on first use (the first model request), not with every server start. */
export async function openaiSdk(): Promise<typeof OpenAI> {
  loaded ??= (await import('openai')).default;
  return loaded;
}

/** The openai SDK's failures: OpenAI, Azure OpenAI, and OpenAI-compatible servers all speak through it. Until a request has loaded the SDK, no error can be one of its classes. */
export const OPENAI_SDK_ERRORS: SdkErrors = {
  isAbort: (error) => loaded !== undefined && error instanceof loaded.APIUserAbortError,
  isUnreachable: (error): error is Error => loaded !== undefined && error instanceof loaded.APIConnectionError,
};
