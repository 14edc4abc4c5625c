// Before `npm start` and `npm test`: make sure the server will find a
// browser (by the server's own rules), installing Playwright's Chromium when
// none is found, on a machine that can download it. Everything goes to
// stderr: stdout may be an MCP stream.
import { execFileSync } from 'node:child_process';
import { findExecutable } from '../dist/src/browser/launcher.js';
import { parseOptions } from '../dist/src/config.js';
import { resolveConfig } from '../dist/src/mcp/server-config.js';

const config = resolveConfig(parseOptions([]).raw);
const find = () => {
  try {
    return findExecutable(config).source;
  } catch {
    return undefined;
  }
};

const found = find();
if (found) {
  console.error(`browser: ${found}`);
} else {
  console.error(`no ${config.browser} found; installing Playwright's: npx playwright install ${config.browser}`);
  try {
    execFileSync('npx', ['playwright', 'install', config.browser], { stdio: ['ignore', 2, 2] });
  } catch {
    // The server's own message says what else to do.
  }
  if (!find()) {
    try {
      findExecutable(config);
    } catch (error) {
      console.error(error.message);
    }
    process.exit(1);
  }
}
