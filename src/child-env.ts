import { OPTIONS } from './config.js';
import { PROVIDER_VARIABLES } from './providers/index.js';

const family = (name: string) => name.slice(0, name.indexOf('_') + 1);

/**
 * What holds the server's secrets: every variable an option reads
 * (CUA_AUTH_TOKEN, CUA_OPENAI_COMPATIBLE_API_KEY...), and the whole family
 * (the prefix up to the first `_`) of every variable a provider reads:
 * OPENAI_ covers OPENAI_ORG_ID, AZURE_ the AZURE_CLIENT_SECRET keyless auth
 * reads, ANTHROPIC_ its AUTH_TOKEN, GOOGLE_ the application credentials.
 * Built on first use: config.ts imports the desktop modules that import this one.
 */
let secrets: { names: Set<string>; families: Set<string> } | undefined;

/** The server's environment without its secrets, for the programs it starts (the browser, desktop applications). */
export function childEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const { names, families } = (secrets ??= {
    names: new Set(Object.values(OPTIONS).map((option) => option.env)),
    families: new Set(PROVIDER_VARIABLES.map(family)),
  });
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !names.has(entry[0]) && !families.has(family(entry[0])),
    ),
  );
}
