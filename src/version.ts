import { readFileSync } from 'node:fs';

/** package.json is the one place the version is written: ../../ from dist/src/, in a clone and an installed package alike. */
export const SERVER_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
  .version;
