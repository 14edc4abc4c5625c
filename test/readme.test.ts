import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { OPTIONS } from '../src/config.js';
import { claudeMcpAddCommands, givenServers, README, ROOT } from './helpers/readme.js';
/** The README and every page under docs/, as paths from the repository root. */
const PAGES = [
  'README.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Lines outside fenced code blocks: a `#` line inside a fence is a shell comment, not a heading. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').filter((line) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    return !fenced && !/^\s*```/.test(line);
  });
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*$/.exec(line);
    if (!heading) continue;
    const slug = (heading[1] ?? '')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

describe('README', () => {
  it('documents every option with its flag and environment variable', () => {
    for (const spec of Object.values(OPTIONS)) {
      assert.ok(README.includes(`\`--${spec.flag}\``), `README lacks --${spec.flag}`);
      assert.ok(README.includes('`' + spec.env + '`'), `README lacks ${spec.env}`);
    }
  });

  it('has every link to a page of its own, and every #anchor, lead somewhere', () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = prose(fs.readFileSync(path.join(ROOT, page), 'utf8'))
        .join('\n')
        .replace(/`[^`]*`/g, '');
      for (const [, target = ''] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto: not ours to check
        const [file = '', anchor] = target.split('#');
        const linked = file ? path.normalize(path.join(path.dirname(page), file)) : page;
        if (!fs.existsSync(path.join(ROOT, linked))) {
          broken.push(`${page}: ${target} (no file ${linked})`);
        } else if (anchor !== undefined && !anchors(fs.readFileSync(path.join(ROOT, linked), 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no heading #${anchor} in ${linked})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  });

  it('ships a client configuration per file format, linked from the README, that names a command that exists', () => {
    for (const [file, key] of [
      ['examples/claude-code.mcp.json', 'mcpServers'],
      ['examples/vscode.mcp.json', 'servers'],
    ] as const) {
      assert.ok(README.includes(`](${file})`), `README does not link ${file}`);
      const servers = (
        JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, Record<string, { command: string; type?: string }>>
      )[key];
      assert.ok(servers, `${file} has no "${key}"`);
      for (const server of Object.values(servers)) {
        assert.equal(server.command, 'cua-mcp', `${file}: the command npm install -g . puts on PATH`);
        if (key === 'servers') assert.equal(server.type, 'stdio');
      }
    }
    // No cua-mcp package exists on the registry: npx cua-mcp fails with E404.
    assert.doesNotMatch(README, /"command":\s*"npx"/);
  });

  it('names the server cua in every configuration it gives, a name every client accepts', () => {
    // test/client-claude-code-config.test.ts runs each of these in the real Claude Code.
    const given = givenServers();
    assert.ok(given.length >= 8, `only ${given.length} configurations found: ${given.map((g) => g.source).join(', ')}`);
    for (const { source, name } of given) assert.equal(name, 'cua', `${source} names the server "${name}"`);
    const commands = claudeMcpAddCommands();
    assert.ok(commands.length >= 3, commands.join('\n'));
    for (const command of commands) assert.match(command, /^claude mcp add (--\S+ \S+ )*cua /, command);
    // Claude Code refuses this name ("this name is reserved") and skips it in .mcp.json.
    assert.doesNotMatch(README, /"computer-use"\s*:/);
  });

  it('documents every tool', async () => {
    const { sessionTools, agentTools, operatorTools } = await import('../src/tools/index.js');
    for (const tool of [...sessionTools, ...agentTools, ...operatorTools])
      assert.ok(README.includes(`| \`${tool.name}\` |`), `README's tool table lacks ${tool.name}`);
  });
});
