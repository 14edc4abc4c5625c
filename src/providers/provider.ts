import type { Translator, TranslatorContext } from '../agent/translator.js';
import type { AgentOptions, ProviderKind } from '../config.js';
import { log } from '../log.js';


/** A configured model endpoint: how to name it in errors, and the translator that speaks its wire format. */
export interface ModelProvider {
  readonly kind: ProviderKind;
  /** The model (or Azure deployment) sent with each request. */
  readonly model: string;
  /** e.g. `Azure OpenAI endpoint https://x.openai.azure.com/openai/v1/, deployment "computer-use-preview"` */
  readonly description: string;
  /** What to check when the endpoint answers with this HTTP status. */
  hint(status: number): string;
  /** Where credentials are obtained rather than given (keyless Azure): gets them now, throwing what to do when that fails. */
  checkCredentials?(): Promise<void>;
  /** A new conversation for one run. */
  translator(context: Omit<TranslatorContext, 'model'>): Translator;
}

/**
 * An SDK's logging (openai, @anthropic-ai/sdk: the same log lines), routed to our stderr logger. The SDK retries failed requests itself (--model-retries,
 * with backoff) and says so only at its `info` level: each retry is shown as a warning, so a run against an
 * unreachable or overloaded endpoint does not sit silent for the seconds the retries take.
 */
export function sdkLogging(sdk: string, endpoint: string) {
  const retry = /(?:^\[log_\w+\] )?(.*retrying, \d+ attempts? remaining.*)$/;
  return {
    logLevel: 'info' as const,
    logger: {
      debug: (message: string) => log.debug(`${sdk}: ${message}`),
      info: (message: string) => {
        const retrying = retry.exec(message);
        if (retrying) log.warn(`model request to ${endpoint}: ${retrying[1]}`);
        else log.debug(`${sdk}: ${message}`);
      },
      warn: (message: string, ...rest: unknown[]) => log.warn(`${sdk}: ${message}`, rest.length ? rest : undefined),
      error: (message: string, ...rest: unknown[]) => log.error(`${sdk}: ${message}`, rest.length ? rest : undefined),
    },
  };
}

/** A provider as the registry (index.ts) knows it: how to tell it is configured, and how to build it. */
export interface ProviderSpec {
  readonly kind: ProviderKind;
  /** The variable or option that configures it, when it is set; auto-selection takes the first configured provider. */
  configuredBy(options: AgentOptions, env: NodeJS.ProcessEnv): string | undefined;
  /** The environment variables it reads (keys, endpoints); options it reads are in the config table. */
  readonly variables: readonly string[];
  /** What to set, for the message when nothing is configured. */
  readonly setup: string;
  create(options: AgentOptions, env: NodeJS.ProcessEnv): ModelProvider;
}
