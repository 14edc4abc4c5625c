import { lazySdk } from '../lazy-sdk.js';

/** The openai SDK: OpenAI, Azure OpenAI, and OpenAI-compatible servers all speak through it. */
const openai = lazySdk(() => import('openai'));

export const openaiSdk = openai.load;
export const OPENAI_SDK_ERRORS = openai.errors;
