import type { AgentOptions } from '../config.js';
import { azureProvider, AZURE_ENV } from './azure-provider.js';
import { openaiProvider, OPENAI_ENV } from './openai-provider.js';
import type { ModelProvider } from './provider.js';

export class ModelNotConfiguredError extends Error {}

const NOT_CONFIGURED = [
  'No computer-use model is configured, so run_task and step cannot run (the browser tools still work).',
  `Azure OpenAI: set ${AZURE_ENV.endpoint} (https://<resource>.openai.azure.com), and ${AZURE_ENV.apiKey} or sign in for keyless Entra ID auth (az login / managed identity); optional ${AZURE_ENV.apiVersion} (e.g. preview).`,
  `OpenAI: set ${OPENAI_ENV.apiKey} (and ${OPENAI_ENV.baseUrl} for a compatible endpoint).`,
  'Then set CUA_MODEL (or --model) to the model or Azure deployment name (default computer-use-preview).',
].join('\n');

/** Picks the provider from the options and the environment; throws ModelNotConfiguredError saying what to set. */
export function createProvider(options: AgentOptions, env: NodeJS.ProcessEnv = process.env): ModelProvider {
  const kind = options.provider === 'auto' ? (env[AZURE_ENV.endpoint] ? 'azure' : env[OPENAI_ENV.apiKey] ? 'openai' : undefined) : options.provider;
  if (kind === 'azure' && env[AZURE_ENV.endpoint]) return azureProvider(options, env);
  if (kind === 'openai' && env[OPENAI_ENV.apiKey]) return openaiProvider(options, env);
  throw new ModelNotConfiguredError(kind ? `--provider ${kind} is selected but its variables are missing.\n${NOT_CONFIGURED}` : NOT_CONFIGURED);
}
