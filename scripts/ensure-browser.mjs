// Before the tests: make sure a Chromium is there, installing Playwright's
// own when none is found (on a machine that can download it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { chromium } from 'playwright';

const SYSTEM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'];
const found = [chromium.executablePath(), ...SYSTEM, process.env.CUA_EXECUTABLE_PATH].find((p) => p && fs.existsSync(p));
if (found) {
  console.error(`browser for the tests: ${found}`);
} else {
  console.error('no Chromium found; installing Playwright\'s: npx playwright install chromium');
  try {
    execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    console.error('could not install Chromium. Install one (e.g. sudo apt-get install -y chromium) or set CUA_EXECUTABLE_PATH, then run npm test again.');
    process.exit(1);
  }
}
