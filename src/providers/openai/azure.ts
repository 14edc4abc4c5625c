import type OpenAI from 'openai';
import type { AgentOptions } from '../../agent/agent-options.js';
import { OPENAI_DEFAULT_MODEL } from './openai.js';
import { ResponsesTranslator } from './responses.js';
import type { ModelProvider } from '../../agent/model-provider.js';
import { explainModelError } from '../errors.js';
import { sdkLogging } from '../sdk-logging.js';
import type { ProviderSpec } from '../spec.js';
import { redactCredentials } from '../../redact.js';
import { OPENAI_SDK_ERRORS, openaiSdk } from './sdk.js';

export const AZURE_ENV = {
  endpoint: 'AZURE_OPENAI_ENDPOINT',
  apiKey: 'AZURE_OPENAI_API_KEY',
  apiVersion: 'AZURE_OPENAI_API_VERSION',
} as const;

const ENTRA_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** Keyless sign-in found no token: said in one paragraph, not as the chain of every credential's failure. */
export class EntraSignInError extends Error {}

/**
 * DefaultAzureCredential's failure, condensed: it throws one error per
 * credential source it tried (seven, 1.5 kB, when nothing is signed in).
 */
function signInFailure(error: unknown): EntraSignInError {
  const failures = (error as { errors?: unknown[] }).errors;
  const first = String((error as Error).message ?? error).split('\n')[0];
  const what = Array.isArray(failures)
    ? `DefaultAzureCredential found no Entra ID credential: none of the ${failures.length} sources it tries could sign in (environment variables, workload and managed identity, VS Code, the Azure CLI, Azure PowerShell, the Azure Developer CLI)`
    : `DefaultAzureCredential could not get a token: ${first}`;
  return new EntraSignInError(
    `Keyless sign-in to Azure OpenAI failed. ${what}. Sign in with az login (the Azure CLI) and try again, or set ${AZURE_ENV.apiKey} to a key of the resource (Keys and Endpoint in the Azure portal).`,
    { cause: error },
  );
}

/**
 * An Entra ID token source for the SDK's apiKey callback. @azure/identity is
 * loaded on the first request that needs it, not at server start (it costs
 * about 150 ms of cold start, and most runs use a key or no model at all).
 * Tokens are cached until shortly before they expire.
 */
function entraTokenProvider(): () => Promise<string> {
  let getToken: Promise<() => Promise<string>> | undefined;
  return async () => {
    getToken ??= import('@azure/identity').then(({ DefaultAzureCredential, getBearerTokenProvider }) =>
      getBearerTokenProvider(new DefaultAzureCredential(), ENTRA_SCOPE),
    );
    const get = await getToken;
    try {
      return await get();
    } catch (error) {
      throw signInFailure(error);
    }
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
  const token = apiKey ? undefined : entraTokenProvider();
  let client: Promise<OpenAI> | undefined;
  const connect = () =>
    (client ??= openaiSdk().then(
      (Sdk) =>
        new Sdk({
          baseURL,
          // The SDK sends `Authorization: Bearer <apiKey>`; a function is called before each request, so tokens refresh.
          apiKey: token ?? 'unused',
          defaultHeaders: apiKey ? { 'api-key': apiKey, Authorization: null } : undefined,
          defaultQuery: apiVersion ? { 'api-version': apiVersion } : undefined,
          maxRetries: options.modelRetries,
          ...sdkLogging('openai', redactCredentials(baseURL)),
        }),
    ));
  const auth = apiKey ? `key from ${AZURE_ENV.apiKey}` : 'Entra ID token from DefaultAzureCredential';
  const description = `Azure OpenAI endpoint ${redactCredentials(baseURL)}${apiVersion ? ` (api-version ${apiVersion})` : ''}, deployment "${model}", ${auth}`;
  const hint = (status: number): string => {
    if (status === 401) {
      return apiKey
        ? `Check ${AZURE_ENV.apiKey}: it must be a key of this resource (Keys and Endpoint in the Azure portal).`
        : `The Entra ID token was rejected: sign in with az login to the right tenant, or set ${AZURE_ENV.apiKey}.`;
    }
    if (status === 403)
      return 'Your identity lacks the "Cognitive Services OpenAI User" role on this resource, or the resource firewall blocks this machine.';
    if (status === 404) {
      return `Check that a deployment named "${model}" exists on this resource (set CUA_MODEL or --model to the deployment name), that ${AZURE_ENV.endpoint} is the resource URL, and that the resource has access to the computer-use model.`;
    }
    return '';
  };
  return {
    kind: 'azure',
    model,
    description,
    translator: (context) => new ResponsesTranslator(connect, { ...context, model }),
    // Keyless: a token now, before a browser is opened for a run that could not make one request.
    checkCredentials: token && (async () => void (await token())),
    explain: (error) => explainModelError(error, OPENAI_SDK_ERRORS, { description, hint }),
  };
}

export const azureSpec: ProviderSpec = {
  kind: 'azure',
  variables: Object.values(AZURE_ENV),
  configuredBy: (_options, env) => (env[AZURE_ENV.endpoint] ? AZURE_ENV.endpoint : undefined),
  setup: `Azure OpenAI: set ${AZURE_ENV.endpoint} (https://<resource>.openai.azure.com), and ${AZURE_ENV.apiKey} or sign in for keyless Entra ID auth (az login / managed identity); optional ${AZURE_ENV.apiVersion} (e.g. preview).`,
  create: azureProvider,
};
