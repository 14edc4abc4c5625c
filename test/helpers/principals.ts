import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentFixture, previewFake } from './agent-fixture.js';
import { startHttpServer } from './http.js';

/**
 * The built server over HTTP for the principals of an --auth-tokens file, with the agent fixture page and a
 * fake Responses API (bearer `key`) as its model, for a whole test file (stop() them in its after hook). The
 * file is written as an operator writes one: a comment, names and tokens apart by spaces, a blank line. Its
 * folder is also the --output-dir.
 */
export async function principalsServer<Name extends string>(names: readonly Name[], key: string, args: string[] = []) {
  const fixture = await agentFixture();
  const fake = await previewFake(key);
  /** The model's environment, for another server of the same file. */
  const env = { OPENAI_API_KEY: key, OPENAI_BASE_URL: `${fake.origin}/v1`, AZURE_OPENAI_ENDPOINT: '' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-principals-'));
  const tokenOf = (name: Name) => `${name}-token-0123456789abcdef`;
  const lines = ['# name   token', ...names.map((name) => `${name}   ${tokenOf(name)}`), '', ''];
  fs.writeFileSync(path.join(dir, 'tokens'), lines.join('\n'), { mode: 0o600 });
  const server = await startHttpServer(['--auth-tokens', path.join(dir, 'tokens'), '--output-dir', dir, ...args], env);
  return {
    server,
    fixture,
    fake,
    env,
    dir,
    tokenOf,
    /** The Authorization header of `name`. */
    as: (name: Name) => ({ Authorization: `Bearer ${tokenOf(name)}` }),
    async stop(): Promise<void> {
      await server.stop();
      await Promise.all([fake.stop(), fixture.stop()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
