import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { OPTIONS } from '../src/config.js';

const README = fs.readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'), 'utf8');

describe('README', () => {
  it('documents every option with its flag and environment variable', () => {
    for (const spec of Object.values(OPTIONS)) {
      assert.ok(README.includes(`\`--${spec.flag}\``), `README lacks --${spec.flag}`);
      assert.ok(README.includes('`' + spec.env + '`'), `README lacks ${spec.env}`);
    }
  });

  it('documents every tool', async () => {
    const { browserTools, agentTools } = await import('../src/tools/index.js');
    for (const tool of [...browserTools, ...agentTools]) assert.ok(README.includes(`| \`${tool.name}\` |`), `README's tool table lacks ${tool.name}`);
  });
});
