import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachment, endlessDownload, linkTo, streamingDownload } from './fixtures/hostile-pages.js';
import { FixtureServer, type Handler } from './helpers/fixture-server.js';
import { startServer, textOf, type ServerHandle } from './helpers/mcp.js';

type DownloadEvent = { kind: string; filename: string; path?: string; bytes?: number; error?: string };
const downloadsIn = (result: { structuredContent?: Record<string, unknown> }) =>
  (result.structuredContent?.events as DownloadEvent[]).filter((e) => e.kind === 'download');
const click = { type: 'click', x: 50, y: 50 };

// Each group has a server of its own: the groups run side by side.
describe('downloads', { concurrency: true }, () => {
  // One server: these cases stay in order.
  describe('downloads on hostile pages', { concurrency: 1 }, () => {
    const site = new FixtureServer();
    let server: ServerHandle;
    let outputDir: string;
    let downloads: string;
    /** Requests for /same held until three have arrived, so the three downloads overlap. */
    const held: (() => void)[] = [];

    before(async () => {
      outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-test-dl-'));
      downloads = path.join(outputDir, 'out', 'downloads');
      await site.start();
      site.route('/same', async (req, res) => {
        const n = held.length + 1;
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length === 3) held.forEach((release) => release());
          // A guard only: it must not keep the test process alive once the three have met.
          setTimeout(resolve, 10_000).unref();
        });
        attachment('report.txt', `from session ${n}`)(req, res, '');
      });
      site.route('/same-page', linkTo('/same'));
      server = await startServer(['--output-dir', path.join(outputDir, 'out')]);
    });
    after(async () => {
      await server?.close();
      await site.stop();
    });

    test('parallel downloads of one name in three sessions give three files', { timeout: 60_000 }, async () => {
      const ids = await Promise.all(
        [1, 2, 3].map(
          async () => (await server.ok('new_session', { start_url: site.url('/same-page') })).structuredContent.session_id as string,
        ),
      );
      const results = await Promise.all(ids.map((session_id) => server.ok('computer', { session_id, actions: [click] })));
      const paths = results.map((r) => downloadsIn(r)[0]?.path);
      assert.equal(new Set(paths).size, 3, `three distinct files expected: ${paths.join(', ')}`);
      const contents = paths.map((p) => fs.readFileSync(p!, 'utf8')).sort();
      assert.deepEqual(contents, ['from session 1', 'from session 2', 'from session 3']);
      for (const session_id of ids) await server.ok('close_session', { session_id });
    });

    test('long non-ASCII names are cut at 255 bytes, keeping the extension', async () => {
      for (const name of ['é'.repeat(150), '漢'.repeat(120), '😀'.repeat(110)]) {
        site.route('/long', attachment(`${name}.txt`, 'long name'));
        site.route('/long-page', linkTo('/long'));
        await server.ok('navigate', { url: site.url('/long-page') });
        const [download] = downloadsIn(await server.ok('computer', { actions: [click] }));
        assert.ok(download?.path, `not saved: ${JSON.stringify(download)}`);
        const saved = path.basename(download.path);
        assert.ok(Buffer.byteLength(saved) <= 255, saved);
        assert.ok(saved.endsWith('.txt') && name.startsWith(saved.slice(0, 10)), saved);
        assert.equal(fs.readFileSync(download.path, 'utf8'), 'long name');
      }
    });

    test('a symlink planted in the downloads folder is never written through', async () => {
      const outside = path.join(outputDir, 'outside.txt');
      fs.symlinkSync(outside, path.join(downloads, 'planted.txt'));
      site.route('/planted', attachment('planted.txt', 'page bytes'));
      site.route('/planted-page', linkTo('/planted'));
      await server.ok('navigate', { url: site.url('/planted-page') });
      const [download] = downloadsIn(await server.ok('computer', { actions: [click] }));
      assert.equal(fs.existsSync(outside), false, 'the page wrote through the symlink');
      assert.ok(download?.path && download.path !== path.join(downloads, 'planted.txt'), JSON.stringify(download));
      assert.equal(fs.lstatSync(download.path).isFile(), true);
      assert.equal(fs.readFileSync(download.path, 'utf8'), 'page bytes');
    });

    test('the output folder is created private to the user', () => {
      assert.equal(fs.statSync(downloads).mode & 0o777, 0o700);
    });
  });

  describe('a never-ending download', () => {
    // The click that starts it waits the settle timeout for it, and says so in the log; the actions after it must not wait.
    test('does not slow the actions after it', { timeout: 25_000 }, async () => {
      const site = await new FixtureServer({ '/': linkTo('/endless'), '/endless': endlessDownload }).start();
      const server = await startServer(['--settle-timeout', '1000', '--start-url', site.url('/')]);
      try {
        await server.ok('computer', { actions: [click] });
        assert.match(server.stderr(), /settle gave up waiting for .*download/, 'the click waited for the download');
        const before = server.stderr().length;
        for (let i = 0; i < 8; i++) await server.ok('computer', { actions: [{ type: 'move', x: 400 + i, y: 400 }] });
        assert.doesNotMatch(server.stderr().slice(before), /settle gave up/, 'an action after the click waited for the download');
      } finally {
        await server.close();
        await site.stop();
      }
    });
  });

  describe('an output folder another user owns', { skip: process.getuid?.() !== 0 && 'needs root to give a folder away' }, () => {
    test('is refused: nothing is written, the download reports why', async () => {
      const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-test-foreign-'));
      fs.chownSync(outputDir, 65534, 65534);
      const site = await new FixtureServer({ '/': linkTo('/file'), '/file': attachment('file.txt', 'secret') }).start();
      const server = await startServer(['--output-dir', outputDir, '--start-url', site.url('/')]);
      try {
        const [download] = downloadsIn(await server.ok('computer', { actions: [click] }));
        assert.match(download?.error ?? '', /belongs to another user.*--output-dir/, textOf(await server.ok('screenshot')));
        assert.equal(fs.existsSync(path.join(outputDir, 'downloads', 'file.txt')), false);
      } finally {
        await server.close();
        await site.stop();
      }
    });
  });

  describe('download limits', { concurrency: true }, () => {
    interface Flood {
      server: ServerHandle;
      site: FixtureServer;
      outputDir: string;
      stream: ReturnType<typeof streamingDownload>;
    }

    /** A server under `limits` whose start page links to /flood, a download that streams without end; `routes` serve more pages. */
    async function startFlood(limits: string[], routes: Record<string, string | Handler> = {}): Promise<Flood> {
      const stream = streamingDownload();
      const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-test-flood-'));
      const site = await new FixtureServer({ '/': linkTo('/flood'), '/flood': stream.handler, ...routes }).start();
      const server = await startServer(['--output-dir', outputDir, '--settle-timeout', '30000', '--start-url', site.url('/'), ...limits]);
      return { server, site, outputDir, stream };
    }

    async function stopFlood(flood: Flood | undefined): Promise<void> {
      await flood?.server.close();
      await flood?.site.stop();
      if (flood) fs.rmSync(flood.outputDir, { recursive: true, force: true });
    }

    /** Clicks the link to /flood in the default session: the download and limit events of that click, and what was kept. */
    async function floodClick({
      server,
      outputDir,
      stream,
    }: Flood): Promise<{ download?: DownloadEvent; limit?: string; saved: string[] }> {
      const result = await server.ok('computer', { actions: [click] });
      const events = result.structuredContent.events as { kind: string; what?: string; detail?: string }[];
      // The browser hangs up when the download is cancelled: the stream ends, it is not left to fill the disk.
      await withTimeout(stream.ended(), 20_000, 'the download was not stopped');
      return {
        download: downloadsIn(result)[0],
        limit: events.find((e) => e.kind === 'limit' && e.what === 'downloads')?.detail,
        saved: fs.existsSync(path.join(outputDir, 'downloads')) ? fs.readdirSync(path.join(outputDir, 'downloads')) : [],
      };
    }

    /** A server of its own under `limits`, flooded once. */
    async function flood(limits: string[]): Promise<{ download?: DownloadEvent; limit?: string; saved: string[] }> {
      let flooded: Flood | undefined;
      try {
        flooded = await startFlood(limits);
        return await floodClick(flooded);
      } finally {
        await stopFlood(flooded);
      }
    }

    describe('per download and per session count (one server, a session each)', { concurrency: 1 }, () => {
      let shared: Flood | undefined;
      before(async () => {
        shared = await startFlood(['--max-download-size', '1MB', '--max-downloads', '2'], {
          '/small-page': linkTo('/small'),
          '/small': attachment('small.txt', 'small'),
        });
      });
      after(() => stopFlood(shared));

      test('a download past --max-download-size is cancelled as it arrives, reported, and nothing is kept', async () => {
        const { download, limit, saved } = await floodClick(shared!);
        assert.match(download?.error ?? '', /cancelled after .*larger than 1\.0 MiB.*--max-download-size/, JSON.stringify(download));
        assert.match(limit ?? '', /1 download\(s\) stopped at a limit.*--max-download-size/);
        assert.deepEqual(saved, []);
      });

      test("past --max-downloads a session's downloads are cancelled at once", async () => {
        const { server, site, outputDir } = shared!;
        const session_id = (await server.ok('new_session', { start_url: site.url('/small-page') })).structuredContent.session_id;
        const results = [];
        for (let i = 0; i < 3; i++) results.push(downloadsIn(await server.ok('computer', { session_id, actions: [click] }))[0]);
        assert.ok(results[0]?.path && results[1]?.path, JSON.stringify(results));
        assert.match(results[2]?.error ?? '', /already started 2 download\(s\).*--max-downloads/, JSON.stringify(results[2]));
        assert.equal(fs.readdirSync(path.join(outputDir, 'downloads')).filter((name) => name.startsWith('small')).length, 2);
      });
    });

    test('the downloads of a session together stop at --session-download-size', async () => {
      const { download, limit } = await flood(['--max-download-size', '0', '--session-download-size', '2MB']);
      assert.match(
        download?.error ?? '',
        /this session's downloads passed 2\.0 MiB together \(--session-download-size\)/,
        JSON.stringify(download),
      );
      assert.match(limit ?? '', /--session-download-size/);
    });

    test('a download that would leave less than --min-free-space is cancelled', async () => {
      const { download } = await flood(['--min-free-space', '1000000GB']);
      assert.match(download?.error ?? '', /nearly full|too little room.*--min-free-space/, JSON.stringify(download));
    });
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
