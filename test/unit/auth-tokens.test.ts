import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { readAuthTokens } from '../../src/mcp/auth-tokens.js';

const http = (...args: string[]) => resolveConfig(parseOptions(['--port', '0', ...args], {}).raw, {}).http!;

describe('--auth-tokens file permissions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-auth-tokens-'));
  const write = (name: string, mode: number) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, 'alice alice-token-0123456789\n');
    fs.chmodSync(file, mode);
    return file;
  };

  test('a file only its owner can read is accepted', () => {
    assert.deepEqual(readAuthTokens(write('private', 0o600)), [{ principal: 'alice', token: 'alice-token-0123456789' }]);
  });

  test('a file other users can read or write is refused, saying the chmod to run (like ssh)', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      const file = write(`open-${mode.toString(8)}`, mode);
      assert.throws(() => readAuthTokens(file), new RegExp(`open to other users \\(mode 0${mode.toString(8)}\\).*chmod 600 ${file}$`));
    }
    const spaced = write("my tokens's", 0o644);
    assert.throws(() => readAuthTokens(spaced), /chmod 600 '.*\/my tokens'\\''s'$/);
    assert.throws(
      () => http('--auth-tokens', spaced),
      (error: Error) => error instanceof ConfigError && /^--auth-tokens \(CUA_AUTH_TOKENS\): .* is open to other users/.test(error.message),
    );
  });
});
