import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FixtureServer, page } from './helpers/fixture-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

// Saved logins: a session's cookies and local storage saved to a private file, loaded into new sessions by --storage-state.
const SECRET = 'login-7f3a9c2e';
/** What /whoami saw, in order: the Cookie header and the page's local storage, one report per visit. */
const visits: Array<{ cookie: string; stored: string }> = [];
const site = await new FixtureServer({
  '/login': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': `sid=${SECRET}; Path=/; HttpOnly` });
    res.end(page('<p>logged in</p>', `<script>localStorage.setItem('user', 'alice')</script>`));
  },
  '/whoami': (req, res) => {
    const cookie = req.headers.cookie ?? '';
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      page(
        '<p>who am I</p>',
        `<script>fetch('/report', { method: 'POST', body: JSON.stringify({ cookie: ${JSON.stringify(cookie)}, stored: localStorage.getItem('user') ?? '' }) })</script>`,
      ),
    );
  },
  '/report': (_req, res, body) => {
    visits.push(JSON.parse(body) as { cookie: string; stored: string });
    res.writeHead(204).end();
  },
}).start();
const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-storage-'));
const servers: ServerHandle[] = [];

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await site.stop();
  fs.rmSync(outputDir, { recursive: true, force: true });
});

/** Opens a session at /whoami and waits for its report. */
async function whoami(server: ServerHandle): Promise<{ cookie: string; stored: string }> {
  const seen = visits.length;
  await server.ok('new_session', { start_url: site.url('/whoami') });
  for (let i = 0; i < 200 && visits.length === seen; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  assert.equal(visits.length, seen + 1, '/whoami reported');
  return visits.at(-1)!;
}

test('a login saved by save_storage_state is there in a session started with the file, and in no other', async () => {
  const first = await startServer(['--output-dir', outputDir]);
  servers.push(first);
  const login = await first.ok('new_session', { start_url: site.url('/login') });
  const saved = await first.ok('save_storage_state', { session_id: login.structuredContent.session_id, name: 'alice' });
  const file = path.join(outputDir, 'storage-state', 'alice.json');
  assert.equal(saved.structuredContent.path, file);
  assert.equal(saved.structuredContent.cookies, 1);
  assert.equal(saved.structuredContent.origins, 1);
  assert.ok(!JSON.stringify(saved).includes(SECRET), 'the secret is never in a result');
  assert.match(textOf(saved), /--storage-state/);
  assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'only this user can read it');
  assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
  assert.ok(fs.readFileSync(file, 'utf8').includes(SECRET));

  assert.deepEqual(await whoami(first), { cookie: '', stored: '' }, 'another session of the same server starts logged out');

  const loaded = await startServer(['--output-dir', outputDir, '--storage-state', file]);
  servers.push(loaded);
  assert.deepEqual(await whoami(loaded), { cookie: `sid=${SECRET}`, stored: 'alice' });
  assert.deepEqual(await whoami(loaded), { cookie: `sid=${SECRET}`, stored: 'alice' }, 'every new session starts from the file');
});

test('save_storage_state refuses a name that would leave its folder', async () => {
  const bad = await servers[0]!.call('save_storage_state', { name: '../escape' });
  assert.equal(bad.isError, true);
  assert.match(textOf(bad), /must be 1-64 letters, digits/);
  assert.ok(!fs.existsSync(path.join(outputDir, 'escape.json')));
});
