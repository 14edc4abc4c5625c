import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer, type ServerHandle } from './helpers/mcp.js';

/** Command lines of a process and all its descendants. */
function treeCommands(root: number): string[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args! }));
  const commands: string[] = [];
  for (const queue = [root]; queue.length;) {
    const pid = queue.pop()!;
    for (const child of table.filter((p) => p.ppid === pid)) {
      commands.push(child.args);
      queue.push(child.pid);
    }
  }
  return commands;
}

let site: FixtureServer;
let server: ServerHandle;
before(async () => {
  site = await new FixtureServer({ '/': page('<h1>One renderer per session</h1>') }).start();
  server = await startServer();
});
after(async () => {
  await server?.close();
  await site?.stop();
});

test("a browser session costs one renderer process, not a second one for the browser window's own pages", async () => {
  const sessions = 3;
  for (let i = 0; i < sessions; i++) await server.ok('new_session', { start_url: site.url('/') });
  const renderers = treeCommands(server.pid()!).filter((args) => args.includes('--type=renderer'));
  // One per session, and at most one spare Chromium keeps warm for the next page.
  assert.ok(renderers.length <= sessions + 1, `${renderers.length} renderer processes for ${sessions} sessions`);
});
