import type { ProviderKind } from './agent-options.js';
import type { Translator, TranslatorContext } from './translator.js';

/**
 * A configured model endpoint as the loop uses it: the translator that
 * speaks its wire format, and the words for its failures. Each provider
 * (src/providers/<name>/) implements it; the loop knows none of them.
 */
export interface ModelProvider {
  readonly kind: ProviderKind;
  /** The model (or Azure deployment) sent with each request. */
  readonly model: string;
  /** e.g. `Azure OpenAI endpoint https://x.openai.azure.com/openai/v1/, deployment "computer-use-preview"` */
  readonly description: string;
  /** Where credentials are obtained rather than given (keyless Azure): gets them now, throwing what to do when that fails. */
  checkCredentials?(): Promise<void>;
  /** A new conversation for one run. */
  translator(context: Omit<TranslatorContext, 'model'>): Translator;
  /**
   * What a failed request (an error `Translator.send` threw) ends the run
   * with: the endpoint tried and what to check. An abort by the run's own
   * signal comes back as it is: the run was cancelled, not failed.
   */
  explain(error: unknown): Error;
}
