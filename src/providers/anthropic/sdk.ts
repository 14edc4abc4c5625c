import type Anthropic from '@anthropic-ai/sdk';
import type { SdkErrors } from '../errors.js';

let loaded: typeof Anthropic | undefined;

/** The Anthropic SDK, imported on first use: importing it adds ~170 ms to every start, most of which never talk to Claude. */
export async function anthropicSdk(): Promise<typeof Anthropic> {
  loaded ??= (await import('@anthropic-ai/sdk')).default;
  return loaded;
}

/** The Anthropic SDK's failures; until a request has loaded the SDK, no error can be one of its classes. */
export const ANTHROPIC_SDK_ERRORS: SdkErrors = {
  isAbort: (error) => loaded !== undefined && error instanceof loaded.APIUserAbortError,
  isUnreachable: (error): error is Error => loaded !== undefined && error instanceof loaded.APIConnectionError,
};
