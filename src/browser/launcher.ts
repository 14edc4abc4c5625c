import fs from 'node:fs';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright';
import type { ChildEnvironment } from '../child-env.js';
import type { BrowserConfig } from './browser-config.js';
import { log } from '../log.js';
import { engine } from './playwright.js';

/** Where contexts come from: a launched browser, a persistent profile, or a remote one. */
export interface BrowserHandle {
  /** Human-readable: which browser is driven and how it was found. */
  readonly description: string;
  /** True when every session shares one persistent context (a profile directory). */
  readonly sharedContext: boolean;
  newContext(options: BrowserContextOptions): Promise<BrowserContext>;
  isConnected(): boolean;
  close(): Promise<void>;
  /** Called when the browser goes away by itself (crash, kill, remote closed). */
  onDisconnected(listener: () => void): void;
}

export class BrowserNotFoundError extends Error {}

/** System Chromium/Chrome installs, tried when Playwright's own Chromium is absent. */
const SYSTEM_CHROMIUM: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
    '/opt/google/chrome/chrome',
    '/usr/bin/microsoft-edge',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    `${process.env['PROGRAMFILES'] ?? 'C:\\Program Files'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['LOCALAPPDATA'] ?? ''}\\Google\\Chrome\\Application\\chrome.exe`,
    `${process.env['PROGRAMFILES(X86)'] ?? 'C:\\Program Files (x86)'}\\Microsoft\\Edge\\Application\\msedge.exe`,
  ],
};

/** Chromium flags: keep a headless browser quiet on closed networks and runnable as root. */
export function chromiumArgs(): string[] {
  const args = [
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-default-apps',
    // The WebUI omnibox popups: every context's (headless) window would preload the address bar's popup page in a
    // renderer of its own, a second process per session (about 40 MiB of the 85 a session cost; bench: density).
    '--disable-features=Translate,MediaRouter,OptimizationHints,WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup',
    // A smooth scroll animates over many frames: a screenshot would catch it halfway (settle still waits for scripted scrolling).
    '--disable-smooth-scrolling',
  ];
  if (process.platform === 'linux' && process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

/**
 * With the policy proxy, WebRTC must not open UDP paths around it: only
 * connections through the proxy (TURN over TCP, checked like any host).
 * This is the switch Chromium reads; --force-webrtc-ip-handling-policy let
 * STUN datagrams through to a blocked host (test/hostile-network.test.ts).
 */
const PROXIED_CHROMIUM_ARGS = ['--webrtc-ip-handling-policy=disable_non_proxied_udp'];

function installHint(engine: BrowserConfig['browser']): string {
  const debian = engine === 'chromium' ? ' On Debian/Ubuntu the system package also works: sudo apt-get install -y chromium.' : '';
  return `Install it with: npx playwright install ${engine}.${debian} Or point --executable-path (CUA_EXECUTABLE_PATH) at a browser binary.`;
}

/** Picks the executable to launch and says where it came from. */
export function findExecutable(config: BrowserConfig): { path?: string; source: string } {
  if (config.executablePath) {
    if (!fs.existsSync(config.executablePath)) {
      throw new BrowserNotFoundError(`--executable-path ${config.executablePath} does not exist. ${installHint(config.browser)}`);
    }
    return { path: config.executablePath, source: `executable ${config.executablePath}` };
  }
  const bundled = engine(config.browser).executablePath();
  if (bundled && fs.existsSync(bundled)) return { path: bundled, source: `Playwright's ${config.browser} (${bundled})` };
  if (config.browser === 'chromium') {
    for (const candidate of SYSTEM_CHROMIUM[process.platform] ?? []) {
      if (fs.existsSync(candidate)) return { path: candidate, source: `system browser ${candidate}` };
    }
  }
  throw new BrowserNotFoundError(
    `No ${config.browser} browser found (looked for Playwright's own at ${bundled}${config.browser === 'chromium' ? ' and for a system Chromium/Chrome' : ''}). ${installHint(config.browser)}`,
  );
}

function wrapBrowser(browser: Browser, description: string, ownsBrowser: boolean): BrowserHandle {
  return {
    description,
    sharedContext: false,
    newContext: (options) => browser.newContext(options),
    isConnected: () => browser.isConnected(),
    close: async () => {
      if (ownsBrowser) await browser.close();
      else await Promise.all(browser.contexts().map((c) => c.close().catch(() => {})));
    },
    onDisconnected: (listener) => browser.on('disconnected', listener),
  };
}

/** `proxy`: send all browser traffic through this http://host:port (the domain policy proxy); `env`: the browser's environment. */
export async function openBrowser(
  config: BrowserConfig,
  contextOptions: BrowserContextOptions,
  launch: { proxy?: string; env: ChildEnvironment },
): Promise<BrowserHandle> {
  if (config.cdpEndpoint) {
    if (config.browser !== 'chromium') throw new Error('--cdp-endpoint only works with --browser chromium');
    const browser = await engine(config.browser).connectOverCDP(config.cdpEndpoint);
    return wrapBrowser(browser, `Chromium over CDP at ${config.cdpEndpoint} (${browser.version()})`, false);
  }
  const executable = findExecutable(config);
  const launchOptions = {
    headless: config.headless,
    executablePath: executable.path,
    args: config.browser === 'chromium' ? [...chromiumArgs(), ...(launch.proxy ? PROXIED_CHROMIUM_ARGS : [])] : [],
    proxy: launch.proxy ? { server: launch.proxy } : undefined,
    // The pages it runs never see the server's keys and tokens.
    env: { ...launch.env },
    // Our own SIGINT/SIGTERM handling closes the browser after sessions end.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  };
  const mode = config.headless ? 'headless' : 'headed';
  if (config.userDataDir) {
    const context = await engine(config.browser).launchPersistentContext(config.userDataDir, { ...launchOptions, ...contextOptions });
    const description = `${config.browser}, ${executable.source}, ${mode}, profile ${config.userDataDir}`;
    log.info(`browser: ${description}`);
    let closed = false;
    context.on('close', () => (closed = true));
    return {
      description,
      sharedContext: true,
      // One persistent profile = one context, shared by every session.
      newContext: async () => context,
      isConnected: () => !closed,
      close: () => context.close(),
      onDisconnected: (listener) => context.on('close', listener),
    };
  }
  const browser = await engine(config.browser).launch(launchOptions);
  const description = `${config.browser} ${browser.version()}, ${executable.source}, ${mode}`;
  log.info(`browser: ${description}`);
  return wrapBrowser(browser, description, true);
}
