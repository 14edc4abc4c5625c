import type Anthropic from '@anthropic-ai/sdk';
import { AnthropicTranslator } from './translator.js';
import type { AgentOptions } from '../../agent/agent-options.js';
import type { ModelProvider } from '../../agent/model-provider.js';
import { explainModelError } from '../errors.js';
import { sdkLogging } from '../sdk-logging.js';
import type { ProviderSpec } from '../spec.js';
import { redactCredentials } from '../../redact.js';
import { ANTHROPIC_SDK_ERRORS, anthropicSdk } from './sdk.js';

export const ANTHROPIC_ENV = { apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' } as const;
export const ANTHROPIC_DEFAULT_MODEL = 'claude-sonnet-4-6';

/** Claude through the Anthropic Messages API (or any endpoint speaking it, through ANTHROPIC_BASE_URL). */
function anthropicProvider(options: AgentOptions, env: NodeJS.ProcessEnv): ModelProvider {
  const model = options.model ?? ANTHROPIC_DEFAULT_MODEL;
  const baseURL = env[ANTHROPIC_ENV.baseUrl] || 'https://api.anthropic.com';
  // authToken: null: only ANTHROPIC_API_KEY authenticates, not an ANTHROPIC_AUTH_TOKEN the SDK would otherwise pick up.
  let client: Promise<Anthropic> | undefined;
  const connect = () =>
    (client ??= anthropicSdk().then(
      (Sdk) =>
        new Sdk({
          apiKey: env[ANTHROPIC_ENV.apiKey],
          authToken: null,
          baseURL,
          maxRetries: options.modelRetries,
          ...sdkLogging('anthropic', redactCredentials(baseURL)),
        }),
    ));
  const description = `Anthropic endpoint ${redactCredentials(baseURL)}, model "${model}"`;
  const hint = (status: number): string => {
    if (status === 401) return `Check ${ANTHROPIC_ENV.apiKey}: the key was rejected.`;
    if (status === 403) return `The key has no access to model "${model}" or to computer use.`;
    if (status === 404)
      return `Model "${model}" was not found: set CUA_MODEL (--model) to a Claude model with computer use, e.g. ${ANTHROPIC_DEFAULT_MODEL}.`;
    return '';
  };
  return {
    kind: 'anthropic',
    model,
    description,
    translator: (context) => new AnthropicTranslator(connect, { ...context, model }),
    explain: (error) => explainModelError(error, ANTHROPIC_SDK_ERRORS, { description, hint }),
  };
}

export const anthropicSpec: ProviderSpec = {
  kind: 'anthropic',
  variables: Object.values(ANTHROPIC_ENV),
  configuredBy: (_options, env) => (env[ANTHROPIC_ENV.apiKey] ? ANTHROPIC_ENV.apiKey : undefined),
  setup: `Anthropic (Claude): set ${ANTHROPIC_ENV.apiKey} (and ${ANTHROPIC_ENV.baseUrl} for a proxy or another endpoint).`,
  create: anthropicProvider,
};
