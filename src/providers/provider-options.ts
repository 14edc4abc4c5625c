import { ConfigError } from '../config.js';
import { parseRetention } from './screenshot-retention.js';

/** --keep-screenshots; undefined (auto): each provider's default. */
export function resolveKeepScreenshots(value: string | boolean | undefined): { keep: number; batch?: number } | undefined {
  if (typeof value !== 'string' || value === 'auto' || value === '') return undefined;
  try {
    return parseRetention(value);
  } catch (error) {
    throw new ConfigError(`--keep-screenshots (CUA_KEEP_SCREENSHOTS): ${(error as Error).message}, or auto`);
  }
}
