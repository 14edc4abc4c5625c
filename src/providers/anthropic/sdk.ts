import { lazySdk } from '../lazy-sdk.js';

/** The Anthropic SDK. */
const anthropic = lazySdk(() => import('@anthropic-ai/sdk'));

export const anthropicSdk = anthropic.load;
export const ANTHROPIC_SDK_ERRORS = anthropic.errors;
