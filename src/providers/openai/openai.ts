import type OpenAI from 'openai';
import type { AgentOptions } from '../../agent/agent-options.js';
import { ResponsesTranslator } from './responses.js';
import type { ModelProvider } from '../../agent/model-provider.js';
import { explainModelError } from '../errors.js';
import { sdkLogging } from '../sdk-logging.js';
import type { ProviderSpec } from '../spec.js';
import { redactCredentials } from '../../redact.js';
import { OPENAI_SDK_ERRORS, openaiSdk } from './sdk.js';

export const OPENAI_ENV = { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' } as const;

/** The model (or Azure deployment name) when --model is not given. */
export const OPENAI_DEFAULT_MODEL = 'computer-use-preview';

/** OpenAI, or any endpoint speaking its Responses API through OPENAI_BASE_URL. */
function openaiProvider(options: AgentOptions, env: NodeJS.ProcessEnv): ModelProvider {
  const model = options.model ?? OPENAI_DEFAULT_MODEL;
  const baseURL = env[OPENAI_ENV.baseUrl] || 'https://api.openai.com/v1';
  let client: Promise<OpenAI> | undefined;
  const connect = () =>
    (client ??= openaiSdk().then(
      (Sdk) =>
        new Sdk({
          apiKey: env[OPENAI_ENV.apiKey],
          baseURL,
          maxRetries: options.modelRetries,
          ...sdkLogging('openai', redactCredentials(baseURL)),
        }),
    ));
  const description = `OpenAI endpoint ${redactCredentials(baseURL)}, model "${model}"`;
  const hint = (status: number): string => {
    if (status === 401) return `Check ${OPENAI_ENV.apiKey}: the key was rejected.`;
    if (status === 403) return `The key has no access to model "${model}" (computer-use models need approved access) or to this project.`;
    if (status === 404)
      return `Model "${model}" was not found: set CUA_MODEL (--model) to a computer-use model your account can use, e.g. computer-use-preview or gpt-5.4.`;
    return '';
  };
  return {
    kind: 'openai',
    model,
    description,
    translator: (context) => new ResponsesTranslator(connect, { ...context, model }),
    explain: (error) => explainModelError(error, OPENAI_SDK_ERRORS, { description, hint }),
  };
}

export const openaiSpec: ProviderSpec = {
  kind: 'openai',
  variables: Object.values(OPENAI_ENV),
  configuredBy: (_options, env) => (env[OPENAI_ENV.apiKey] ? OPENAI_ENV.apiKey : undefined),
  setup: `OpenAI: set ${OPENAI_ENV.apiKey} (and ${OPENAI_ENV.baseUrl} for a compatible endpoint).`,
  create: openaiProvider,
};
