import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, parseOptions } from '../../src/config.js';
import { resolveConfig } from '../../src/mcp/server-config.js';
import { mintHandle, replicaOf } from '../../src/session/handles.js';
import { SharedRecords } from '../../src/replica/shared-records.js';

// In process: a replica's handles, --replica, and the records replicas share (in a temporary folder). The replicas
// end to end, behind a real HAProxy: replicas.test.ts.

describe('handles of a replica', () => {
  test('start with its name and a dot, and keep a random (v4) UUID: 122 random bits', () => {
    const handle = mintHandle('cua-mcp-0');
    assert.match(handle, /^cua-mcp-0\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(replicaOf(handle), 'cua-mcp-0');
    assert.notEqual(mintHandle('r1'), mintHandle('r1'));
    // A server alone mints the plain UUIDs it always did; nothing else a client sends names a replica.
    assert.equal(replicaOf(mintHandle()), undefined);
    for (const other of [
      'r1',
      'r1.',
      '../r1.0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b',
      'R1.0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b',
      'r1.0b5e1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b/x',
    ]) {
      assert.equal(replicaOf(other), undefined, other);
    }
  });

  test('--replica takes a DNS label and needs --port', () => {
    const config = (...args: string[]) => resolveConfig(parseOptions(args).raw, {});
    assert.equal(config('--replica', 'cua-mcp-1', '--port', '0').replica, 'cua-mcp-1');
    assert.equal(config('--port', '0').replica, undefined);
    assert.throws(
      () => config('--replica', 'R_1', '--port', '0'),
      (e) => e instanceof ConfigError && /--replica \(CUA_REPLICA\) must be a DNS label.*"R_1"/.test(e.message),
    );
    assert.throws(
      () => config('--replica', 'r1'),
      (e) => e instanceof ConfigError && /--replica .* needs --port/.test(e.message),
    );
  });
});

describe('the records replicas share', () => {
  test("tell the owner of a dead or restarted replica's session what happened, and nobody else anything", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-records-'));
    const runs = path.join(dir, 'runs');
    try {
      const r1 = await SharedRecords.start('r1', dir, runs);
      const r2 = await SharedRecords.start('r2', dir, runs);
      const id = mintHandle('r2');
      r2.opened({ id, owner: 'alice' });
      await waitFor(() => fs.existsSync(path.join(dir, 'replicas', 'sessions', `${id}.json`)));

      assert.match(
        r1.lost(id, 'alice')!,
        new RegExp(
          `^Browser session "${id}" was lost with its server \\(replica r2, gone since \\d{4}-\\d\\d-\\d\\dT[^)]*\\).*Its recordings are at ${runs} .*Open a new session with new_session\\.$`,
        ),
      );
      assert.equal(r1.lost(id, 'bob'), undefined, 'another principal learns nothing of the handle');
      assert.equal(r2.lost(id, 'alice'), undefined, 'the replica that holds it (alive) does not call it lost');
      assert.equal(r1.lost(mintHandle('r2'), 'alice'), undefined, 'never opened');
      assert.equal(r1.lost('../../etc/passwd', 'alice'), undefined);

      // r2 restarted under its name (a StatefulSet pod): the new instance did not inherit the session.
      const restarted = await SharedRecords.start('r2', dir, runs);
      assert.match(restarted.lost(id, 'alice')!, /lost with its server \(replica r2, restarted at \d{4}-/);
      assert.match(r1.lost(id, 'alice')!, /lost with its server \(replica r2, restarted at /);

      // Closed as asked: the record goes, and the session is no longer "lost".
      r2.closed(id);
      await waitFor(() => !fs.existsSync(path.join(dir, 'replicas', 'sessions', `${id}.json`)));
      assert.equal(r1.lost(id, 'alice'), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The records are written in the background: a deadline of our own, no sleep. */
async function waitFor(condition: () => boolean, deadlineMs = 5000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('the record was not written in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
