import type { AgentOptions } from '../agent/agent-options.js';
import { log } from '../log.js';
import { anthropicSpec } from './anthropic/anthropic.js';
import { azureSpec } from './openai/azure.js';
import { geminiSpec } from './gemini/gemini.js';
import { compatibleSpec } from './openai-compatible/openai-compatible.js';
import { openaiSpec } from './openai/openai.js';
import type { ModelProvider } from '../agent/model-provider.js';
import type { ProviderSpec } from './spec.js';

export class ModelNotConfiguredError extends Error {}

/** Every provider, in the order auto-selection tries them. */
const PROVIDERS: ProviderSpec[] = [azureSpec, openaiSpec, anthropicSpec, geminiSpec, compatibleSpec];

/** Every environment variable a provider reads. */
export const PROVIDER_VARIABLES: readonly string[] = PROVIDERS.flatMap((spec) => spec.variables);

/** What each provider needs set, one line each, in the order auto-selection tries them (for --help). */
export function providerSetup(): string[] {
  return PROVIDERS.map((spec) => spec.setup);
}

function notConfigured(): string {
  return [
    'No computer-use model is configured, so run_task and step cannot run (the browser tools still work).',
    ...providerSetup(),
    "Then set CUA_MODEL (or --model) to the model or Azure deployment name, or leave it out for the provider's default; --provider (CUA_PROVIDER) picks one when several are set.",
  ].join('\n');
}

/** Picks the provider from the options and the environment; throws ModelNotConfiguredError saying what to set. */
export function createProvider(options: AgentOptions, env: NodeJS.ProcessEnv = process.env): ModelProvider {
  if (options.provider !== 'auto') {
    const spec = PROVIDERS.find((s) => s.kind === options.provider)!;
    if (!spec.configuredBy(options, env))
      throw new ModelNotConfiguredError(`--provider ${spec.kind} is selected but its variables are missing.\n${spec.setup}`);
    return spec.create(options, env);
  }
  for (const spec of PROVIDERS) {
    const variable = spec.configuredBy(options, env);
    if (!variable) continue;
    const provider = spec.create(options, env);
    log.info(`model provider: ${spec.kind} (picked because ${variable} is set; --provider chooses another), ${provider.description}`);
    return provider;
  }
  throw new ModelNotConfiguredError(notConfigured());
}
