import type { GoogleGenAI } from '@google/genai';
import { GeminiTranslator } from './translator.js';
import type { AgentOptions } from '../../agent/agent-options.js';
import type { ModelProvider } from '../../agent/model-provider.js';
import { explainModelError, type SdkErrors } from '../errors.js';
import type { ProviderSpec } from '../spec.js';
import { redactCredentials } from '../../redact.js';

export const GEMINI_ENV = { apiKey: 'GEMINI_API_KEY', googleApiKey: 'GOOGLE_API_KEY' } as const;
export const GEMINI_DEFAULT_MODEL = 'gemini-2.5-computer-use-preview-10-2025';
const DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/** @google/genai uses fetch directly: an unreachable host is fetch's TypeError. */
const GEMINI_SDK_ERRORS: SdkErrors = {
  isUnreachable: (error): error is Error => error instanceof TypeError && /fetch failed/i.test(error.message),
};

const keyVariable = (env: NodeJS.ProcessEnv) =>
  env[GEMINI_ENV.apiKey] ? GEMINI_ENV.apiKey : env[GEMINI_ENV.googleApiKey] ? GEMINI_ENV.googleApiKey : undefined;

/** Gemini computer use through the Gemini API (or an endpoint speaking it, through --gemini-base-url). */
function geminiProvider(options: AgentOptions, env: NodeJS.ProcessEnv): ModelProvider {
  const model = options.model ?? GEMINI_DEFAULT_MODEL;
  const variable = keyVariable(env)!;
  const baseUrl = options.geminiBaseUrl ?? DEFAULT_BASE_URL;
  // Imported on the first request: the SDK adds ~80 ms to every start, most of which never talk to Gemini.
  let ai: Promise<GoogleGenAI> | undefined;
  const connect = () =>
    (ai ??= import('@google/genai').then(
      ({ GoogleGenAI }) =>
        new GoogleGenAI({
          apiKey: env[variable],
          // The Gemini API, never Vertex AI (which GOOGLE_GENAI_USE_VERTEXAI would otherwise switch on).
          vertexai: false,
          httpOptions: { baseUrl, retryOptions: { attempts: options.modelRetries + 1 } },
        }),
    ));
  const description = `Gemini endpoint ${redactCredentials(baseUrl)}, model "${model}"`;
  const hint = (status: number): string => {
    if (status === 400 || status === 401) return `Check ${variable}: the Gemini API rejects a key it does not know with 400 or 401.`;
    if (status === 403) return `The key has no access to model "${model}" (enable the Gemini API for its project).`;
    if (status === 404)
      return `Model "${model}" was not found: set CUA_MODEL (--model) to a Gemini computer-use model, e.g. ${GEMINI_DEFAULT_MODEL}.`;
    return '';
  };
  return {
    kind: 'gemini',
    model,
    description,
    translator: (context) => new GeminiTranslator(connect, { ...context, model }),
    explain: (error) => explainModelError(error, GEMINI_SDK_ERRORS, { description, hint }),
  };
}

export const geminiSpec: ProviderSpec = {
  kind: 'gemini',
  variables: Object.values(GEMINI_ENV),
  configuredBy: (_options, env) => keyVariable(env),
  setup: `Gemini: set ${GEMINI_ENV.apiKey} (or ${GEMINI_ENV.googleApiKey}), and --gemini-base-url (GOOGLE_GEMINI_BASE_URL) for another endpoint.`,
  create: geminiProvider,
};
