// `npm test` and `npm run test:unit`: Node's test runner over the built test
// files under a folder (default dist/test), two files at a time, the files
// that take longest first. Started last, a long file would leave one worker
// idle while it runs on alone; first, the short ones fill in beside it.
// Extra arguments (--test-reporter=spec, --test-name-pattern=...) go to node.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The slowest files, slowest first (per-file times of docs/development.md); the rest follow in name order. */
const LONGEST = [
  'desktop-screens',
  'desktop-input',
  'desktop-processes',
  'recording',
  'fuzz',
  'hostile-pages',
  'screenshot-scale',
  'downloads',
  'http',
  'client-claude-code-config',
  'settled-screenshot',
  'cli',
  'sessions',
  'handles',
];

const args = process.argv.slice(2);
const folder = args.find((arg) => !arg.startsWith('-')) ?? 'dist/test';
const nodeArgs = args.filter((arg) => arg.startsWith('-'));
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

const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...nodeArgs, ...files], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
