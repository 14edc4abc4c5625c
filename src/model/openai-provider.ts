import OpenAI from 'openai';
import type { AgentOptions } from '../config.js';
import { sdkLogging, type ModelProvider } from './provider.js';

export const OPENAI_ENV = { apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' } as const;

/** OpenAI, or any endpoint speaking its Responses API through OPENAI_BASE_URL. */
export function openaiProvider(options: AgentOptions, env: NodeJS.ProcessEnv): ModelProvider {
  const baseURL = env[OPENAI_ENV.baseUrl] || 'https://api.openai.com/v1';
  const client = new OpenAI({ apiKey: env[OPENAI_ENV.apiKey], baseURL, maxRetries: options.modelRetries, ...sdkLogging(baseURL) });
  return {
    kind: 'openai',
    client,
    model: options.model,
    description: `OpenAI endpoint ${baseURL}, model "${options.model}"`,
    hint(status) {
      if (status === 401) return `Check ${OPENAI_ENV.apiKey}: the key was rejected.`;
      if (status === 403) return `The key has no access to model "${options.model}" (computer-use models need approved access) or to this project.`;
      if (status === 404) return `Model "${options.model}" was not found: set CUA_MODEL (--model) to a computer-use model your account can use, e.g. computer-use-preview or gpt-5.4.`;
      return '';
    },
  };
}
