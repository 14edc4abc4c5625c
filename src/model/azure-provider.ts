import OpenAI from 'openai';
import type { AgentOptions } from '../config.js';
import { OPENAI_DEFAULT_MODEL } from './openai-provider.js';
import { ResponsesTranslator } from '../agent/translators/responses.js';
import { sdkLogging, type ModelProvider, type ProviderSpec } from './provider.js';
import { redactCredentials } from '../redact.js';

export const AZURE_ENV = {
  endpoint: 'AZURE_OPENAI_ENDPOINT',
  apiKey: 'AZURE_OPENAI_API_KEY',
  apiVersion: 'AZURE_OPENAI_API_VERSION',
} as const;

const ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/**
 * An Entra ID token source for the SDK's apiKey callback. @azure/identity is
 * loaded on the first request that needs it, not at server start (it costs
 * about 150 ms of cold start, and most runs use a key or no model at all).
 */
function entraTokenProvider(): () => Promise<string> {
  let getToken: Promise<() => Promise<string>> | undefined;
  return async () => {
    getToken ??= import('@azure/identity').then(({ DefaultAzureCredential, getBearerTokenProvider }) =>
      getBearerTokenProvider(new DefaultAzureCredential(), ENTRA_SCOPE),
    );
    return (await getToken)();
  };
}

/**
 * Azure OpenAI through its v1 API (`<endpoint>/openai/v1/`), which the plain
 * OpenAI client speaks: the deployment name goes in `model`. Key auth uses
 * the `api-key` header; without a key, an Entra ID bearer token comes from
 * DefaultAzureCredential (az login, managed identity, environment...).
 */
function azureProvider(options: AgentOptions, env: NodeJS.ProcessEnv): ModelProvider {
  const model = options.model ?? OPENAI_DEFAULT_MODEL;
  const endpoint = env[AZURE_ENV.endpoint]!.replace(/\/+$/, '').replace(/\/openai(\/v1)?$/, '');
  const baseURL = `${endpoint}/openai/v1/`;
  const apiVersion = env[AZURE_ENV.apiVersion];
  const apiKey = env[AZURE_ENV.apiKey];
  const client = new OpenAI({
    baseURL,
    // The SDK sends `Authorization: Bearer <apiKey>`; a function is called before each request, so tokens refresh.
    apiKey: apiKey ? 'unused' : entraTokenProvider(),
    defaultHeaders: apiKey ? { 'api-key': apiKey, Authorization: null } : undefined,
    defaultQuery: apiVersion ? { 'api-version': apiVersion } : undefined,
    maxRetries: options.modelRetries,
    ...sdkLogging('openai', redactCredentials(baseURL)),
  });
  const auth = apiKey ? `key from ${AZURE_ENV.apiKey}` : 'Entra ID token from DefaultAzureCredential';
  return {
    kind: 'azure',
    model,
    translator: (context) => new ResponsesTranslator(client, { ...context, model }),
    description: `Azure OpenAI endpoint ${redactCredentials(baseURL)}${apiVersion ? ` (api-version ${apiVersion})` : ''}, deployment "${model}", ${auth}`,
    hint(status) {
      if (status === 401) {
        return apiKey
          ? `Check ${AZURE_ENV.apiKey}: it must be a key of this resource (Keys and Endpoint in the Azure portal).`
          : `The Entra ID token was rejected: sign in with az login to the right tenant, or set ${AZURE_ENV.apiKey}.`;
      }
      if (status === 403) return 'Your identity lacks the "Cognitive Services OpenAI User" role on this resource, or the resource firewall blocks this machine.';
      if (status === 404) {
        return `Check that a deployment named "${model}" exists on this resource (set CUA_MODEL or --model to the deployment name), that ${AZURE_ENV.endpoint} is the resource URL, and that the resource has access to the computer-use model.`;
      }
      return '';
    },
  };
}

export const azureSpec: ProviderSpec = {
  kind: 'azure',
  variables: Object.values(AZURE_ENV),
  configuredBy: (_options, env) => (env[AZURE_ENV.endpoint] ? AZURE_ENV.endpoint : undefined),
  setup: `Azure OpenAI: set ${AZURE_ENV.endpoint} (https://<resource>.openai.azure.com), and ${AZURE_ENV.apiKey} or sign in for keyless Entra ID auth (az login / managed identity); optional ${AZURE_ENV.apiVersion} (e.g. preview).`,
  create: azureProvider,
};
