// `npm install` runs this to build dist/ with tsc. `npm install -g .` from a fresh clone also runs it, but a
// global install of a folder only links the folder: it installs none of the folder's dependencies, so neither
// tsc (a devDependency) nor the server's runtime dependencies are there. Then install them into the folder
// first (that install runs this script again and builds). Everything goes to stderr.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (command, args, env = process.env) =>
  execFileSync(command, args, { stdio: ['ignore', 2, 2], env, shell: process.platform === 'win32' });

if (existsSync('node_modules/typescript/bin/tsc')) {
  run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
} else if (process.env.npm_config_global === 'true') {
  console.error(
    'cua-mcp-server: a global install links this folder; installing its dependencies into it (npm install), which also builds dist/',
  );
  // Without these the inner install would be global as well, and would install this folder into itself.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_(global|prefix|location)$/i.test(name)));
  run('npm', ['install', '--no-audit', '--no-fund'], env);
} else {
  console.error('cua-mcp-server: typescript (a devDependency) is missing, so dist/ cannot be built. Run `npm install` in this folder.');
  process.exit(1);
}
