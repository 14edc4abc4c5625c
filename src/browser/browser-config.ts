import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, integer, oneOf, optionString as str, OPTIONS, screenSize, size, type RawOptions } from '../config.js';
import { DomainPatternError } from '../host-patterns.js';
import { DomainPolicy } from './policy/domain-policy.js';
import { normalizeUrl, UrlParseError } from '../urls.js';
import type { ClientImageLimits } from '../images.js';

/** Browser sessions (src/browser): the engine, where it runs, its screen, what it may reach. */
export interface BrowserConfig {
  browser: 'chromium' | 'firefox' | 'webkit';
  executablePath?: string;
  headless: boolean;
  /** The viewport, in CSS pixels. */
  display: { width: number; height: number };
  /** Screenshot size, the coordinate space of every action; `scale` = screenshot / display (at most 1). */
  screenshot: { width: number; height: number; scale: number };
  startUrl: string;
  userDataDir?: string;
  /** A storage-state file every new browser context starts from. */
  storageState?: string;
  cdpEndpoint?: string;
  browserEndpoint?: string;
  dialogPolicy: 'accept' | 'dismiss';
  imageFormat: 'png' | 'jpeg';
  imageQuality: number;
  /** Limits of the screenshots sent to the MCP client (not to the computer-use model). */
  clientImage: ClientImageLimits;
  /** Where downloads go (and recordings, in its runs folder). */
  outputDir: string;
  /** Limits of the downloads pages start, in bytes and counts (0 = no limit). */
  downloads: DownloadLimits;
  /** Hosts and schemes the browser may reach. */
  domainPolicy: DomainPolicy;
  settleTimeoutMs: number;
  /** How long one round trip to the page may take before it counts as not answering (see deadline.ts). */
  pageAnswerMs: number;
}

export interface DownloadLimits {
  maxBytes: number;
  sessionBytes: number;
  maxCount: number;
  minFreeBytes: number;
}

/** The browser slice of the options; `outputDir` is the server's, shared with recordings. */
export function resolveBrowser(raw: RawOptions, env: NodeJS.ProcessEnv, outputDir: string): BrowserConfig {
  const display = screenSize('displaySize', raw.displaySize);
  const screenshot = resolveScreenshotSize(raw.screenshotSize, display);
  if (raw.headless && raw.headed) throw new ConfigError('--headless and --headed contradict each other; pass one');
  const headless = raw.headed ? false : raw.headless ? true : !hasDisplay(env);
  // A remote browser has its own display; a local one needs ours.
  if (raw.headed && !hasDisplay(env) && !raw.cdpEndpoint && !raw.browserEndpoint) {
    throw new ConfigError(
      '--headed needs a display, and DISPLAY/WAYLAND_DISPLAY is not set. Run under a virtual display (xvfb-run cua-mcp --headed) or leave out --headed.',
    );
  }
  const domainPolicy = resolveDomainPolicy(raw);
  const startUrl = resolveStartUrl(str(raw.startUrl) ?? 'about:blank', domainPolicy);
  return {
    browser: oneOf('browser', raw.browser, ['chromium', 'firefox', 'webkit'] as const),
    executablePath: str(raw.executablePath),
    headless,
    display,
    screenshot,
    startUrl,
    userDataDir: str(raw.userDataDir),
    storageState: resolveStorageState(str(raw.storageState), str(raw.userDataDir)),
    cdpEndpoint: str(raw.cdpEndpoint),
    browserEndpoint: str(raw.browserEndpoint),
    dialogPolicy: oneOf('dialogPolicy', raw.dialogPolicy, ['accept', 'dismiss'] as const),
    imageFormat: oneOf('imageFormat', raw.imageFormat, ['png', 'jpeg'] as const),
    imageQuality: integer('imageQuality', raw.imageQuality, 1, 100),
    clientImage: {
      maxBytes: integer('maxImageBytes', raw.maxImageBytes, 10_000, 6 * 1024 * 1024),
      maxSide:
        raw.maxImagePixels === undefined || raw.maxImagePixels === ''
          ? undefined
          : integer('maxImagePixels', raw.maxImagePixels, 100, 7680),
    },
    outputDir,
    downloads: {
      maxBytes: size('maxDownloadSize', raw.maxDownloadSize),
      sessionBytes: size('sessionDownloadSize', raw.sessionDownloadSize),
      maxCount: integer('maxDownloads', raw.maxDownloads, 0, 1_000_000),
      minFreeBytes: size('minFreeSpace', raw.minFreeSpace),
    },
    domainPolicy,
    settleTimeoutMs: integer('settleTimeout', raw.settleTimeout, 0, 120_000),
    pageAnswerMs: integer('pageAnswerTimeout', raw.pageAnswerTimeout, 1000, 600_000),
  };
}

function hasDisplay(env: NodeJS.ProcessEnv): boolean {
  if (process.platform !== 'linux') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** The file, checked now: a login that silently fails to load would only show as a logged-out page much later. */
function resolveStorageState(file: string | undefined, userDataDir: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  if (userDataDir !== undefined) {
    throw new ConfigError(
      '--storage-state loads cookies into each new isolated session; with --user-data-dir every session shares one profile, which keeps its own cookies. Pass one of them.',
    );
  }
  const resolved = path.resolve(file);
  let state: { cookies?: unknown; origins?: unknown };
  try {
    state = JSON.parse(fs.readFileSync(resolved, 'utf8')) as typeof state;
  } catch (error) {
    throw new ConfigError(
      `--storage-state (CUA_STORAGE_STATE): cannot read ${resolved} as JSON (${(error as Error).message.split('\n')[0]}); save one with the save_storage_state tool`,
    );
  }
  if (!Array.isArray(state?.cookies) || !Array.isArray(state?.origins)) {
    throw new ConfigError(
      `--storage-state (CUA_STORAGE_STATE): ${resolved} is not a storage state (it needs "cookies" and "origins" lists); save one with the save_storage_state tool`,
    );
  }
  return resolved;
}

/** --start-url read as navigate reads an address (example.com, 127.0.0.1:8765), then checked against the domain policy. */
function resolveStartUrl(given: string, policy: DomainPolicy): string {
  let url;
  try {
    url = normalizeUrl(given);
  } catch (error) {
    if (error instanceof UrlParseError) throw new ConfigError(`--start-url (CUA_START_URL): ${error.message}`);
    throw error;
  }
  const verdict = policy.checkNavigation(url);
  if (!verdict.allowed) throw new ConfigError(`--start-url ${url} is not allowed: ${verdict.reason}`);
  return url;
}

function resolveScreenshotSize(
  value: string | boolean | undefined,
  display: { width: number; height: number },
): BrowserConfig['screenshot'] {
  if (typeof value !== 'string' || value === '') return { ...display, scale: 1 };
  const size = /^(\d{2,5})x(\d{2,5})$/.exec(value);
  if (!size)
    throw new ConfigError(
      `--screenshot-size (CUA_SCREENSHOT_SIZE) must be WIDTHxHEIGHT in pixels, the display size (${display.width}x${display.height}) or smaller with its aspect ratio (e.g. ${Math.round(display.width / 2)}x${Math.round(display.height / 2)}), got ${JSON.stringify(value)}`,
    );
  const width = Number(size[1]);
  const height = Number(size[2]);
  const scale = width / display.width;
  // Rounding allows one pixel of slack; anything more would stretch the image and move every click.
  if (scale > 1 || scale < 0.1 || Math.abs(display.height * scale - height) > 1) {
    throw new ConfigError(
      `--screenshot-size ${value} must be the display size (${display.width}x${display.height}) scaled down by at most 10x, keeping its aspect ratio: e.g. ${Math.round(display.width / 2)}x${Math.round(display.height / 2)}`,
    );
  }
  return { width, height, scale };
}

function resolveDomainPolicy(raw: RawOptions): DomainPolicy {
  const text = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  try {
    return new DomainPolicy({
      allowedDomains: text(raw.allowedDomains),
      blockedDomains: text(raw.blockedDomains),
      allowSchemes: text(raw.allowSchemes),
    });
  } catch (error) {
    if (error instanceof DomainPatternError) {
      const spec = OPTIONS[error.field];
      throw new ConfigError(`--${spec.flag} (${spec.env}): ${error.message}`);
    }
    throw error;
  }
}
