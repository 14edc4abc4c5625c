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

  it('ships a client configuration per file format, linked from the README, that names a command that exists', () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    for (const [file, key] of [['examples/claude-code.mcp.json', 'mcpServers'], ['examples/vscode.mcp.json', 'servers']] as const) {
      assert.ok(README.includes(`](${file})`), `README does not link ${file}`);
      const servers = (JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as Record<string, Record<string, { command: string; type?: string }>>)[key];
      assert.ok(servers, `${file} has no "${key}"`);
      for (const server of Object.values(servers)) {
        assert.equal(server.command, 'cua-mcp', `${file}: the command npm install -g . puts on PATH`);
        if (key === 'servers') assert.equal(server.type, 'stdio');
      }
    }
    // No cua-mcp package exists on the registry: npx cua-mcp fails with E404.
    assert.doesNotMatch(README, /"command":\s*"npx"/);
  });

  it('documents every tool', async () => {
    const { browserTools, agentTools } = await import('../src/tools/index.js');
    for (const tool of [...browserTools, ...agentTools]) assert.ok(README.includes(`| \`${tool.name}\` |`), `README's tool table lacks ${tool.name}`);
  });
});
