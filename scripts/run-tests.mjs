// `npm test` and `npm run test:unit`: Node's test runner over the built test
// files under a folder (default dist/test), two files at a time, the files
// that take longest first. Started last, a long file would leave one worker
// idle while it runs on alone; first, the short ones fill in beside it.
// Extra arguments (--test-reporter=spec, --test-name-pattern=...) go to node.
// --with-lint (npm test): eslint and prettier's check run beside the tests,
// which mostly wait on browsers and displays; their output follows the tests'.
// The build before it is the type check.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The slowest files, slowest first (per-file times of docs/development.md); the rest follow in name order. */
const LONGEST = [
  'hostile-pages',
  'replicas',
  'agent-anthropic',
  'recording',
  'agent-background',
  'settled-screenshot',
  'http',
  'desktop-input',
  'agent-terminal',
  'fuzz',
  'agent-all-providers',
  'replicas-farm',
  'desktop-screens',
  'principals',
  'desktop-clipboard',
];

const args = process.argv.slice(2);
const withLint = args.includes('--with-lint');
const folder = args.find((arg) => !arg.startsWith('-')) ?? 'dist/test';
const nodeArgs = args.filter((arg) => arg.startsWith('-') && arg !== '--with-lint');
const files = fs
  .readdirSync(folder, { recursive: true })
  .map(String)
  .filter((file) => file.endsWith('.test.js'))
  .map((file) => path.join(folder, file))
  // A built test whose source was moved or deleted is left over from an older build: not run.
  .filter((file) => fs.existsSync(file.replace(/^dist[\\/]/, '').replace(/\.js$/, '.ts')))
  .sort();
const rank = (file) => {
  const index = LONGEST.indexOf(path.relative(folder, file).replace(/\.test\.js$/, ''));
  return index === -1 ? LONGEST.length : index;
};
files.sort((a, b) => rank(a) - rank(b));

/** Runs `command`, resolving with its exit code (1 for a signal) and, when `quiet`, its output. */
function run(command, commandArgs, quiet) {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    const output = [];
    child.stdout?.on('data', (chunk) => output.push(chunk));
    child.stderr?.on('data', (chunk) => output.push(chunk));
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: Buffer.concat(output).toString() }));
  });
}

const [tests, lint] = await Promise.all([
  run(process.execPath, ['--test', '--test-concurrency=2', ...nodeArgs, ...files], false),
  withLint ? run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'lint:style'], true) : undefined,
]);
if (lint) process.stdout.write(`\n${lint.code === 0 ? 'lint: eslint and prettier found nothing' : `lint failed:\n${lint.output}`}\n`);
process.exit(tests.code || lint?.code || 0);
