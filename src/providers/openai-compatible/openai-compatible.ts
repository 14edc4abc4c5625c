import type OpenAI from 'openai';
import { TextActionTranslator } from './text-actions.js';
import type { AgentOptions } from '../../agent/agent-options.js';
import type { ModelProvider } from '../../agent/model-provider.js';
import { explainModelError } from '../errors.js';
import { OPENAI_SDK_ERRORS, openaiSdk } from '../openai/sdk.js';
import { sdkLogging } from '../sdk-logging.js';
import type { ProviderSpec } from '../spec.js';
import { redactCredentials } from '../../redact.js';

export const COMPATIBLE_DEFAULT_MODEL = 'ByteDance-Seed/UI-TARS-1.5-7B';

/**
 * An open model that answers in text actions (UI-TARS) on an
 * OpenAI-compatible Chat Completions server: vLLM's `vllm serve`, or
 * Azure AI Foundry. Its own base URL and key, so it can sit beside an
 * OpenAI configuration.
 */
function compatibleProvider(options: AgentOptions): ModelProvider {
  const model = options.model ?? COMPATIBLE_DEFAULT_MODEL;
  const baseURL = options.openaiCompatible.baseUrl!;
  // vLLM without --api-key takes any key; the SDK needs one.
  let client: Promise<OpenAI> | undefined;
  const connect = () =>
    (client ??= openaiSdk().then(
      (Sdk) =>
        new Sdk({
          apiKey: options.openaiCompatible.apiKey ?? 'EMPTY',
          baseURL,
          maxRetries: options.modelRetries,
          ...sdkLogging('openai', redactCredentials(baseURL)),
        }),
    ));
  const description = `OpenAI-compatible endpoint ${redactCredentials(baseURL)}, model "${model}"`;
  const hint = (status: number): string => {
    if (status === 401 || status === 403)
      return 'Check --openai-compatible-api-key (CUA_OPENAI_COMPATIBLE_API_KEY): the server wants the key it was started with (vllm serve --api-key).';
    if (status === 404)
      return `Model "${model}" was not found: set --model (CUA_MODEL) to the name the server serves (vllm serve <model> or --served-model-name), and check that the base URL ends in /v1.`;
    return '';
  };
  return {
    kind: 'openai-compatible',
    model,
    description,
    translator: (context) => new TextActionTranslator(connect, { ...context, model }),
    explain: (error) => explainModelError(error, OPENAI_SDK_ERRORS, { description, hint }),
  };
}

export const compatibleSpec: ProviderSpec = {
  kind: 'openai-compatible',
  variables: [],
  configuredBy: (options) => (options.openaiCompatible.baseUrl ? '--openai-compatible-base-url' : undefined),
  setup:
    'An open model with text actions (UI-TARS) on vLLM or another OpenAI-compatible server: set --openai-compatible-base-url (CUA_OPENAI_COMPATIBLE_BASE_URL, e.g. http://localhost:8000/v1), and --openai-compatible-api-key if the server wants one.',
  create: compatibleProvider,
};
