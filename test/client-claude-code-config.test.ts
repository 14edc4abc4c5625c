import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { claudeBinary, cuaMcpOnPath } from './helpers/clients.js';
import { startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { claudeMcpAddCommands, givenServers, README, ROOT } from './helpers/readme.js';

// Every client configuration the README and examples/ give, verbatim, in the real Claude
// Code: `claude mcp add-json` (or the README's own `claude mcp add` line) must accept it,
// and `claude mcp list`, which starts each server and checks it answers, must show it
// connected. A name Claude Code reserves, a command that is not there, a server that
// does not answer, each fails here.

const run = promisify(execFile);
const TOKEN = 'readme-config-test-token';
/** The README's HTTP examples use this port; the test's server listens on a free one instead. */
const README_PORT = '8931';
/** Placeholders of the README's absolute-path example, and what they stand for here. */
const PLACEHOLDERS: [string, string][] = [
  ['/usr/local/bin/node', process.execPath],
  ['/Users/me/src/cua-mcp-server', ROOT],
];

let claude: string;
let http: HttpServerProcess;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-claude-config-'));
const bin = cuaMcpOnPath(path.join(scratch, 'bin'));

before(async () => {
  claude = await claudeBinary();
  http = await startHttpServer([], { CUA_AUTH_TOKEN: TOKEN });
});

after(async () => {
  await http?.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** A new HOME and project folder, so each configuration is the only one Claude Code knows. */
function freshUser(label: string): { cwd: string; env: Record<string, string> } {
  const home = fs.mkdtempSync(path.join(scratch, `${label.replace(/\W+/g, '-')}-`));
  const cwd = path.join(home, 'project');
  fs.mkdirSync(cwd);
  return {
    cwd,
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      CUA_AUTH_TOKEN: TOKEN,
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      PLAYWRIGHT_BROWSERS_PATH: process.env.PLAYWRIGHT_BROWSERS_PATH ?? path.join(os.homedir(), '.cache', 'ms-playwright'),
    },
  };
}

/** What the README's example addresses become here: the test server's port. */
function local(text: string): string {
  return text.replaceAll(`127.0.0.1:${README_PORT}`, new URL(http.url).host);
}

/** `claude mcp list`, which health-checks every server it knows. */
async function listed(user: { cwd: string; env: Record<string, string> }): Promise<string> {
  const { stdout, stderr } = await run(claude, ['mcp', 'list'], { ...user, timeout: 120_000 });
  return `${stdout}${stderr}`;
}

// Each case has a HOME of its own and spends most of its time waiting on Claude Code's health check (which starts
// the server it names): a few run at once.
describe('the README and examples/ configurations in the real Claude Code', { concurrency: 3 }, () => {
  test('README placeholders still read as the test expects', () => {
    for (const [placeholder] of PLACEHOLDERS)
      assert.ok(README.includes(placeholder), `the README no longer has ${placeholder}: update PLACEHOLDERS`);
    assert.ok(README.includes(`127.0.0.1:${README_PORT}`));
  });

  for (const given of givenServers()) {
    test(`${given.source}: claude mcp add-json ${given.name}, then claude mcp list shows it connected`, async () => {
      let json = JSON.stringify(given.entry);
      for (const [placeholder, here] of PLACEHOLDERS) json = json.replaceAll(placeholder, here);
      // VS Code asks for an input variable; Claude Code reads the token from the environment.
      json = local(json).replaceAll('${input:cua-token}', '${CUA_AUTH_TOKEN}');
      const user = freshUser(given.source);
      const added = await run(claude, ['mcp', 'add-json', given.name, json], { ...user, timeout: 60_000 }).catch(
        (error: { stderr?: string; message: string }) => {
          assert.fail(`claude mcp add-json ${given.name} '${json}' was refused: ${error.stderr ?? error.message}`);
        },
      );
      assert.match(added.stdout, new RegExp(`Added \\w+ MCP server ${given.name}`));
      const list = await listed(user);
      assert.match(list, new RegExp(`^${given.name}: .* - ✔ Connected$`, 'm'), list);
    });
  }

  for (const command of claudeMcpAddCommands()) {
    test(`${command}, then claude mcp list shows it connected`, async () => {
      const user = freshUser(command);
      await run('/bin/sh', ['-c', local(command.replace(/^claude /, '"$CLAUDE" '))], {
        ...user,
        env: { ...user.env, CLAUDE: claude },
        timeout: 60_000,
      }).catch((error: { stderr?: string; message: string }) => assert.fail(`${command} was refused: ${error.stderr ?? error.message}`));
      const list = await listed(user);
      assert.match(list, /^cua: .* - ✔ Connected$/m, list);
    });
  }
});
