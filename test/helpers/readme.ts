import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** One server entry of a client configuration the README or examples/ gives a user. */
export interface GivenServer {
  /** Where it comes from: `README.md (block 3)`, an example file, or the README's generator one-liner. */
  source: string;
  name: string;
  entry: Record<string, unknown>;
}

/** The fenced code blocks of a markdown text, with their language. */
export function codeBlocks(markdown: string): { language: string; text: string }[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, language = '', text = '']) => ({ language, text }));
}

/** `servers` (VS Code) or `mcpServers` (everyone else) of a configuration file's JSON. */
function serversOf(source: string, config: Record<string, unknown>): GivenServer[] {
  const servers = (config.mcpServers ?? config.servers) as Record<string, Record<string, unknown>> | undefined;
  if (!servers) return [];
  return Object.entries(servers).map(([name, entry]) => ({ source, name, entry }));
}

/**
 * Every client configuration a user is given, verbatim: each JSON block of the
 * README that holds servers (`//` comment lines of a jsonc block dropped), the
 * files in examples/, and what the README's one-liner that prints a
 * configuration prints when run here.
 */
export function givenServers(): GivenServer[] {
  const given: GivenServer[] = [];
  codeBlocks(README).forEach(({ language, text }, index) => {
    if (language !== 'json' && language !== 'jsonc') return;
    const json = text.replace(/^\s*\/\/.*$/gm, '');
    given.push(...serversOf(`README.md (code block ${index + 1})`, JSON.parse(json) as Record<string, unknown>));
  });
  for (const file of fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.json'))) {
    given.push(
      ...serversOf(`examples/${file}`, JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as Record<string, unknown>),
    );
  }
  const oneLiner = /^node -e '(.*mcpServers.*)'$/m.exec(README)?.[1];
  if (oneLiner) {
    const printed = execFileSync(process.execPath, ['-e', oneLiner], { cwd: ROOT, encoding: 'utf8' });
    given.push(...serversOf('README.md (the one-liner that prints a configuration)', JSON.parse(printed) as Record<string, unknown>));
  }
  return given;
}

/** Every `claude mcp add ...` command the README gives, as one line each (comments dropped, lines joined). */
export function claudeMcpAddCommands(): string[] {
  const commands = codeBlocks(README)
    .filter(({ language }) => language === 'sh')
    .flatMap(({ text }) => text.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('claude mcp add'));
  // Inline ones, which prose may wrap over two lines.
  for (const [, inline = ''] of README.matchAll(/`(claude mcp add[^`]*)`/g)) commands.push(inline.replace(/\s+/g, ' '));
  return [...new Set(commands)];
}
