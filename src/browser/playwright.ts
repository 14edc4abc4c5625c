import { createRequire } from 'node:module';
import type { BrowserType } from 'playwright';
import type { BrowserConfig } from './browser-config.js';

const require = createRequire(import.meta.url);

/**
 * Playwright, loaded with the first browser session rather than at start:
 * its import takes seconds on a busy machine, and a client waits that long
 * for the answer to its first request (Claude Code gives up on
 * `server/discover` after ~2.5 s). Synchronous (require caches it), so
 * callers that only read from it stay synchronous.
 */
export function playwright(): typeof import('playwright') {
  return require('playwright') as typeof import('playwright');
}

/** The Playwright browser type for --browser. */
export function engine(browser: BrowserConfig['browser']): BrowserType {
  return playwright()[browser];
}
