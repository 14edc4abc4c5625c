import { OPTIONS } from './config.js';

const family = (name: string) => name.slice(0, name.indexOf('_') + 1);

/** The environment the programs the server starts get (the browser, Xvfb, desktop applications): the server's without its secrets. */
export type ChildEnvironment = Readonly<Record<string, string>>;

/**
 * `env` without what holds the server's secrets: every variable an option
 * reads (CUA_AUTH_TOKEN, CUA_OPENAI_COMPATIBLE_API_KEY...), and the whole
 * family (the prefix up to the first `_`) of every variable a model provider
 * reads (`providerVariables`): OPENAI_ covers OPENAI_ORG_ID, AZURE_ the
 * AZURE_CLIENT_SECRET keyless auth reads, ANTHROPIC_ its AUTH_TOKEN, GOOGLE_
 * the application credentials. The program that serves computes it once and
 * hands it to the backends, which know no provider.
 */
export function childEnvironment(env: NodeJS.ProcessEnv, providerVariables: readonly string[]): ChildEnvironment {
  const names = new Set<string>(Object.values(OPTIONS).map((option) => option.env));
  const families = new Set(providerVariables.map(family));
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !names.has(entry[0]) && !families.has(family(entry[0])),
    ),
  );
}
