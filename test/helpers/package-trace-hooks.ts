import fs from 'node:fs';

/**
 * Module hooks that append the name of every npm package the process
 * resolves, once, to the file CUA_TEST_PACKAGE_TRACE names: evidence of
 * what a server loaded, taken from outside its code. Appended synchronously,
 * so the file is complete whenever the process is stopped.
 */
const traceFile = process.env.CUA_TEST_PACKAGE_TRACE!;
const seen = new Set<string>();

type Resolved = { url: string };
type NextResolve = (specifier: string, context: unknown) => Promise<Resolved>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<Resolved> {
  const resolved = await nextResolve(specifier, context);
  const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(resolved.url)?.[1];
  if (name && !seen.has(name)) {
    seen.add(name);
    fs.appendFileSync(traceFile, `${name}\n`);
  }
  return resolved;
}
