import type Anthropic from '@anthropic-ai/sdk';

let loaded: typeof Anthropic | undefined;

/** The Anthropic SDK, imported on first use: importing it adds ~170 ms to every start, most of which never talk to Claude. */
export async function anthropicSdk(): Promise<typeof Anthropic> {
  loaded ??= (await import('@anthropic-ai/sdk')).default;
  return loaded;
}

/** The SDK if a request has loaded it; until then no error can be one of its classes. */
export function loadedAnthropicSdk(): typeof Anthropic | undefined {
  return loaded;
}
