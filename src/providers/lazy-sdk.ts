import type { SdkErrors } from './errors.js';

/** An SDK's client class, whose statics carry its error classes (openai and @anthropic-ai/sdk both do). */
interface SdkClass {
  readonly APIUserAbortError: abstract new (...args: never[]) => Error;
  readonly APIConnectionError: abstract new (...args: never[]) => Error;
}

/**
 * A model SDK imported on its provider's first request rather than with
 * every server start (the import takes up to seconds on a busy machine),
 * and its failures: until a request has loaded the SDK, no error can be one
 * of its classes.
 */
export function lazySdk<T extends SdkClass>(importSdk: () => Promise<{ default: T }>): { load(): Promise<T>; errors: SdkErrors } {
  let loaded: T | undefined;
  return {
    load: async () => (loaded ??= (await importSdk()).default),
    errors: {
      isAbort: (error) => loaded !== undefined && error instanceof loaded.APIUserAbortError,
      isUnreachable: (error): error is Error => loaded !== undefined && error instanceof loaded.APIConnectionError,
    },
  };
}
