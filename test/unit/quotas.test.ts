import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { ownerFolder, stdioPrincipal } from '../../src/session/principal-ids.js';
import { PrincipalQuota, QuotaError, StepWindow } from '../../src/session/quotas.js';

// The limits per principal in process, on a clock the test moves: the end-to-end cases (over HTTP, two
// principals) are in principals.test.ts.
function clock(start = 1_000_000) {
  const at = { now: start };
  return Object.assign(() => at.now, { advance: (ms: number) => (at.now += ms) });
}

test('the step window slides: a step frees exactly 60 s after it was taken', () => {
  const now = clock();
  const window = new StepWindow(60_000, now);
  window.take();
  now.advance(20_000);
  window.take();
  assert.equal(window.count(), 2);
  assert.equal(window.waitMs(2), 40_000, 'the oldest of the two frees in 40 s');
  assert.equal(window.waitMs(3), 0);
  now.advance(39_999);
  assert.equal(window.count(), 2);
  now.advance(1);
  assert.equal(window.count(), 1, 'the first step left the window');
  assert.equal(window.waitMs(2), 0);
  now.advance(20_000);
  assert.equal(window.count(), 0);
});

test('past the step limit: refused, naming the limit, the option and how long to wait; admitted again once the window slides', () => {
  const now = clock();
  const quota = new PrincipalQuota('alice', { sessions: 0, runs: 0, stepsPerMinute: 2 }, now);
  quota.admitStep();
  now.advance(15_000);
  quota.admitStep();
  const refusal =
    /Model step limit reached: your runs \(principal "alice"\) took 2 model steps in the last 60 s, the most each principal may take \(2 a minute, set by --max-steps-per-minute \(CUA_MAX_STEPS_PER_MINUTE\)\); no model request was made\. Wait 45 s, then try again/;
  assert.throws(
    () => quota.admitStep(),
    (e: Error) => e instanceof QuotaError && refusal.test(e.message),
  );
  assert.throws(() => quota.admitRun(), refusal, 'a new run is refused too: its first turn could not be taken');
  assert.equal(quota.activeRuns, 0);
  now.advance(45_000);
  quota.admitStep();
  assert.equal(quota.steps.count(), 2);
});

test('runs at once: counted while they work, freed when they stop, whatever order', () => {
  const quota = new PrincipalQuota('bob', { sessions: 0, runs: 2, stepsPerMinute: 0 });
  const first = quota.admitRun();
  const second = quota.admitRun();
  assert.throws(
    () => quota.admitRun(),
    /Run limit reached: 2 of your runs \(principal "bob"\) are working.*\(2, set by --max-runs-per-principal \(CUA_MAX_RUNS_PER_PRINCIPAL\)\).*cancel_run/,
  );
  first();
  first();
  assert.equal(quota.activeRuns, 1, 'releasing twice frees one slot');
  quota.admitRun();
  second();
  assert.equal(quota.activeRuns, 1);
});

test('open sessions: the ones being opened count, so two calls at once cannot both slip under the limit', () => {
  const quota = new PrincipalQuota('carol', { sessions: 2, runs: 0, stepsPerMinute: 0 }, clock());
  const opening = quota.admitSession(1);
  assert.throws(
    () => quota.admitSession(1),
    /Session limit reached: you \(principal "carol"\) have 2 session\(s\) open.*\(2, set by --max-sessions-per-principal \(CUA_MAX_SESSIONS_PER_PRINCIPAL\)\).*close_session/,
  );
  opening();
  quota.admitSession(1)();
  assert.throws(() => quota.admitSession(2), /have 2 session\(s\) open/);
});

test('no limits by default; each option takes a whole number, 0 for none', () => {
  const config = (argv: string[]) => resolveConfig(parseOptions(argv, {}).raw, {});
  assert.deepEqual(config([]).principalLimits, { sessions: 0, runs: 0, stepsPerMinute: 0 });
  assert.deepEqual(config([]).operators, []);
  const set = config([
    '--max-sessions-per-principal',
    '3',
    '--max-runs-per-principal',
    '1',
    '--max-steps-per-minute',
    '120',
    '--operators',
    'ops, carol',
  ]);
  assert.deepEqual(set.principalLimits, { sessions: 3, runs: 1, stepsPerMinute: 120 });
  assert.deepEqual(set.operators, ['ops', 'carol']);
  assert.throws(
    () => config(['--max-runs-per-principal', 'two']),
    (e: Error) =>
      e instanceof ConfigError && /--max-runs-per-principal \(CUA_MAX_RUNS_PER_PRINCIPAL\) must be a whole number/.test(e.message),
  );
});

test("an --auth-tokens name may not be one the server gives its one user: its holder would share that user's things", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-reserved-'));
  try {
    const file = path.join(dir, 'tokens');
    for (const name of ['auth-token', 'local', 'shared']) {
      fs.writeFileSync(file, `alice alice-token-0123456789\n${name} other-token-0123456789\n`, { mode: 0o600 });
      assert.throws(
        () => resolveConfig(parseOptions(['--port', '0', '--auth-token', 'one-token-0123456789', '--auth-tokens', file], {}).raw, {}),
        new RegExp(`--auth-tokens \\(CUA_AUTH_TOKENS\\): the name "${name}" is the server's own for its one user`),
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("files sit apart per named principal; the one user's (stdio, terminal, one token) at the top as before", () => {
  for (const one of [undefined, stdioPrincipal(), 'local', 'auth-token', 'shared']) assert.equal(ownerFolder(one), undefined, String(one));
  assert.equal(ownerFolder('alice'), 'alice');
  assert.equal(ownerFolder('auth0|1234'), 'auth0%7C1234', 'an OAuth subject becomes one folder name');
  assert.equal(ownerFolder('a/../b'), 'a%2F..%2Fb');
  assert.equal(ownerFolder('..'), '%2E%2E', 'never the parent folder');
  assert.equal(ownerFolder('.'), '%2E');
});
