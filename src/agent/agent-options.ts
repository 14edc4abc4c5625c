import { AGENT_ACTION_TYPES } from '../computer/action-kinds.js';
import { ConfigError, integer, list, oneOf, optionString as str, type RawOptions } from '../config.js';
import { DomainPatternError, HostPatterns } from '../host-patterns.js';
import { parsePrices, type ModelPrices } from './usage.js';

/** The model providers `--provider` can name (src/providers/index.ts builds each). */
export const PROVIDER_KINDS = ['azure', 'openai', 'anthropic', 'gemini', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** How the computer-use model loop runs (see src/agent and src/providers). */
export interface AgentOptions {
  provider: 'auto' | ProviderKind;
  /** Undefined: the provider's default model. */
  model: string | undefined;
  toolGeneration: 'auto' | 'preview' | 'ga';
  anthropicTool: 'auto' | 'computer_20250124' | 'computer_20251124';
  geminiBaseUrl: string | undefined;
  openaiCompatible: { baseUrl: string | undefined; apiKey: string | undefined };
  textActionCoordinates: 'absolute' | 'relative';
  history: 'server' | 'local';
  /** --keep-screenshots; undefined (auto): each provider's default. */
  keepScreenshots: { keep: number; batch?: number } | undefined;
  maxSteps: number;
  /** The operator's prices; undefined: runs report tokens and no cost. */
  modelPrices: ModelPrices | undefined;
  modelRetries: number;
  autoAcknowledgeSafetyChecks: boolean;
  /** Action kinds a person approves before they run, whatever the model's safety system says. */
  confirmActions: string[];
  /** always: a person approves every call; sandbox: the model's checks are approved without asking, in the named sandbox. */
  approval: { mode: 'safety-checks' | 'always' } | { mode: 'sandbox'; sandbox: string };
  /** Sites where every action waits for a person. */
  confirmDomains: HostPatterns;
  confirmPasswordTyping: boolean;
}

/** The agent's slice of the options; `keepScreenshots` is read by the providers, whose setting it is. */
export function resolveAgentOptions(raw: RawOptions, keepScreenshots: AgentOptions['keepScreenshots']): AgentOptions {
  return {
    provider: oneOf('provider', raw.provider, ['auto', ...PROVIDER_KINDS] as const),
    model: str(raw.model),
    toolGeneration: oneOf('toolGeneration', raw.toolGeneration, ['auto', 'preview', 'ga'] as const),
    anthropicTool: oneOf('anthropicTool', raw.anthropicTool, ['auto', 'computer_20250124', 'computer_20251124'] as const),
    geminiBaseUrl: str(raw.geminiBaseUrl),
    openaiCompatible: { baseUrl: str(raw.openaiCompatibleBaseUrl), apiKey: str(raw.openaiCompatibleApiKey) },
    textActionCoordinates: oneOf('textActionCoordinates', raw.textActionCoordinates, ['absolute', 'relative'] as const),
    history: oneOf('history', raw.history, ['server', 'local'] as const),
    keepScreenshots,
    maxSteps: integer('maxSteps', raw.maxSteps, 1, 1000),
    modelPrices: resolvePrices(raw.modelPrices),
    modelRetries: integer('modelRetries', raw.modelRetries, 0, 20),
    autoAcknowledgeSafetyChecks: raw.autoAcknowledgeSafetyChecks === true,
    confirmActions: resolveConfirmActions(raw.confirmActions),
    approval: resolveApproval(raw.approval),
    confirmDomains: resolveConfirmDomains(raw.confirmDomains),
    confirmPasswordTyping: raw.confirmPasswordTyping === true,
  };
}

function resolvePrices(value: string | boolean | undefined): ModelPrices | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return parsePrices(value);
  } catch (error) {
    throw new ConfigError(`--model-prices (CUA_MODEL_PRICES): ${(error as Error).message}`);
  }
}

function resolveApproval(value: string | boolean | undefined): AgentOptions['approval'] {
  const text = typeof value === 'string' ? value.trim() : 'safety-checks';
  if (text === 'safety-checks' || text === 'always') return { mode: text };
  const sandbox = /^sandbox:([\w.-]{1,64})$/.exec(text)?.[1];
  if (sandbox) return { mode: 'sandbox', sandbox };
  throw new ConfigError(
    `--approval (CUA_APPROVAL) must be safety-checks, always, or sandbox:NAME (the throw-away sandbox's name, letters, digits, . - _), got ${JSON.stringify(value)}`,
  );
}

function resolveConfirmDomains(value: string | boolean | undefined): HostPatterns {
  try {
    return new HostPatterns(typeof value === 'string' ? value : undefined, 'confirmDomains');
  } catch (error) {
    if (error instanceof DomainPatternError) throw new ConfigError(`--confirm-domains (CUA_CONFIRM_DOMAINS): ${error.message}`);
    throw error;
  }
}

function resolveConfirmActions(value: string | boolean | undefined): string[] {
  const kinds = list(value);
  const unknown = kinds.filter((kind) => !(AGENT_ACTION_TYPES as readonly string[]).includes(kind));
  if (unknown.length)
    throw new ConfigError(
      `--confirm-actions (CUA_CONFIRM_ACTIONS): unknown action kind(s) ${unknown.join(', ')}; use ${AGENT_ACTION_TYPES.join(', ')}`,
    );
  return kinds;
}
