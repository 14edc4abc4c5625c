import { APIConnectionError, APIUserAbortError } from 'openai';
import type { SdkErrors } from '../errors.js';

/** The openai SDK's failures: OpenAI, Azure OpenAI, and OpenAI-compatible servers all speak through it. */
export const OPENAI_SDK_ERRORS: SdkErrors = {
  isAbort: (error) => error instanceof APIUserAbortError,
  isUnreachable: (error): error is Error => error instanceof APIConnectionError,
};
