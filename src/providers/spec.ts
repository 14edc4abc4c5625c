import type { ModelProvider } from '../agent/model-provider.js';
import type { AgentOptions, ProviderKind } from '../agent/agent-options.js';

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
