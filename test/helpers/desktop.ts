import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { onPath } from '../../src/desktop/process-group.js';
import { textOf, type ServerHandle } from './mcp.js';
import { until } from './processes.js';

/** What the desktop test files (desktop-*.test.ts) share: the fixtures, the applications they allow, and readers of what those log. */

export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures');
export const PYTHON = '/usr/bin/python3';
const needed = ['Xvfb', 'xterm', 'openbox'].filter((command) => !onPath(command));
// .ci/run installs these (Debian: xvfb xterm openbox python3-tk).
const hasTk = spawnSync(PYTHON, ['-c', 'import tkinter']).status === 0;
export const skip = needed.length || !hasTk ? `needs ${[...needed, ...(hasTk ? [] : ['python3-tk'])].join(', ')}` : false;

export const XTERM = 'xterm=xterm -u8 -fa Monospace -fs 12 -geometry 100x20+0+380 -e /bin/bash --norc --noprofile';
/** The server's environment: UTF-8, so the terminal and its shell take é, 中文 and emoji. */
export const UTF8 = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };

/** The test file's own folder for the logs and files of the applications it launches. */
export const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cua-desktop-'));
export const probeApp = (log: string) => `probe=${PYTHON} ${path.join(FIXTURES, 'tk-probe.py')} ${log}`;

export type ProbeEvent = { kind: string; button?: number; x?: number; y?: number; state?: number; keysym?: string; char?: string };

export function probeEvents(file: string): ProbeEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ProbeEvent);
}

/** The line a fixture logs once its window is up (where its widgets are on the screen), when it comes. */
export async function loggedReady(log: string): Promise<ProbeEvent> {
  const ready = (
    await until(
      () => probeEvents(log),
      (events) => events.some((e) => e.kind === 'ready'),
    )
  ).find((e) => e.kind === 'ready');
  assert.ok(ready, `${log} says the application is ready`);
  return ready;
}

export async function fileText(file: string, check: (text: string) => boolean = () => true): Promise<string> {
  return until(
    () => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : ''),
    (text) => text !== '' && check(text),
    10_000,
  );
}

export async function openDesktop(server: ServerHandle): Promise<string> {
  const opened = await server.ok('new_session', { environment: 'desktop' });
  return String(opened.structuredContent.session_id);
}

/** The display of the Xvfb the server started, as list_sessions names it. */
export async function xvfbDisplay(server: ServerHandle): Promise<string> {
  const list = textOf(await server.ok('list_sessions', {}));
  const display = /Xvfb (:\d+)/.exec(list)?.[1];
  assert.ok(display, `list_sessions names the display: ${list}`);
  return display;
}
