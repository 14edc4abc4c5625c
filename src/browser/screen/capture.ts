import type { CDPSession, Page } from 'playwright';
import type { Screenshot } from '../../computer/computer.js';
import type { BrowserConfig } from '../browser-config.js';
import { log } from '../../log.js';
import { DeadlineError, withDeadline } from '../deadline.js';
import { playwright } from '../playwright.js';

export class ScreenshotError extends Error {}

/** Base64 makes it 4/3 larger: 6 MiB stays well inside the 10 MiB an MCP stdio message may have. */
const MAX_SCREENSHOT_BYTES = 6 * 1024 * 1024;
const FALLBACK_JPEG_QUALITY = 60;

/** Takes one image of the page's viewport in device pixels. */
type Shooter = (page: Page, type: 'png' | 'jpeg', quality: number | undefined) => Promise<Buffer>;

/** Playwright's screenshot: waits for web fonts, and can draw `style` over the page for this image only; `answerMs`: the page's deadline. */
function playwrightShooter(style: string | undefined, answerMs: number): Shooter {
  return (page, type, quality) =>
    page.screenshot({
      type,
      quality,
      // Device pixels: the display size times the device scale factor, i.e. the screenshot size.
      scale: 'device',
      caret: 'initial',
      style,
      timeout: answerMs,
    });
}

const devtools = new WeakMap<Page, Promise<CDPSession>>();
/**
 * Pages whose last PNG, encoded for speed, came near the size a client
 * takes (--max-image-bytes): their next PNGs are compressed harder, so a
 * busy page is not sent as JPEG just to save the browser's time.
 */
const compressHarder = new WeakSet<Page>();
/** The share of the client's image limit a speed-encoded PNG may reach before the page's PNGs are compressed harder. */
const SPEED_ENCODING_SHARE = 0.75;

/**
 * Chromium's own capture of the viewport, in device pixels: the same image
 * as Playwright's in one round trip instead of four or five (Playwright
 * first waits for fonts and prepares and restores every frame). For a page
 * the caller knows has its fonts loaded and needs no style drawn over it.
 * PNGs are encoded for speed (the same pixels, about a third more bytes):
 * under load the browser's PNG encoding is most of a step's CPU, and
 * encoding it harder took 3-4 times as long (see docs/performance.md).
 */
function devtoolsShooter(maxClientBytes: number, answerMs: number): Shooter {
  return async (page, type, quality) => {
    let session = devtools.get(page);
    if (!session) {
      session = page.context().newCDPSession(page);
      devtools.set(page, session);
      session.catch(() => devtools.delete(page));
    }
    const fast = type === 'png' && !compressHarder.has(page);
    const capture = session.then((s) =>
      s.send('Page.captureScreenshot', { format: type, quality, captureBeyondViewport: false, optimizeForSpeed: fast }),
    );
    const { data } = await withDeadline(capture, answerMs, 'the screenshot');
    const image = Buffer.from(data, 'base64');
    if (fast && image.length > maxClientBytes * SPEED_ENCODING_SHARE) compressHarder.add(page);
    return image;
  };
}

/**
 * A screenshot of the page at the screenshot size, in the configured
 * format; a JPEG instead when the image would be too large to send.
 * Retried when it fails, then an error: never an old image passed off as
 * the current one. `style`: CSS applied for this screenshot only (the
 * emulated address bar drawn over the page).
 */
export function capturePage(page: () => Promise<Page>, config: BrowserConfig, sessionId: string, style?: string): Promise<Screenshot> {
  return captureWith(playwrightShooter(style, config.pageAnswerMs), page, config, sessionId);
}

/**
 * capturePage through Chromium's own capture, where it gives the same image
 * (Chromium, fonts loaded, no style); undefined where it does not apply.
 */
export function captureDirect(page: Page, config: BrowserConfig, sessionId: string): Promise<Screenshot> | undefined {
  if (config.browser !== 'chromium') return undefined;
  return captureWith(devtoolsShooter(config.clientImage.maxBytes, config.pageAnswerMs), () => Promise.resolve(page), config, sessionId);
}

async function captureWith(shoot: Shooter, page: () => Promise<Page>, config: BrowserConfig, sessionId: string): Promise<Screenshot> {
  const { imageFormat, imageQuality } = config;
  const { width, height } = config.screenshot;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const current = await page();
      const capture = (type: 'png' | 'jpeg', quality?: number) => shoot(current, type, quality);
      const data = await capture(imageFormat, imageFormat === 'jpeg' ? imageQuality : undefined);
      if (data.length <= MAX_SCREENSHOT_BYTES) return { data, mimeType: imageFormat === 'png' ? 'image/png' : 'image/jpeg', width, height };
      // A message over 10 MiB closes an MCP stdio connection: send a smaller JPEG rather than lose the client.
      const smaller = await capture('jpeg', FALLBACK_JPEG_QUALITY);
      const note = `the ${imageFormat} screenshot (${data.length} bytes) was too large to send; this is a JPEG at quality ${FALLBACK_JPEG_QUALITY}`;
      log.warn(`session ${sessionId}: ${note}`);
      if (smaller.length <= MAX_SCREENSHOT_BYTES) return { data: smaller, mimeType: 'image/jpeg', width, height, note };
      throw new ScreenshotError(
        `The screenshot is ${smaller.length} bytes even as JPEG, too large to send; use a smaller --display-size or --screenshot-size.`,
      );
    } catch (error) {
      if (error instanceof ScreenshotError || error instanceof DeadlineError) throw error;
      // A page that does not render a frame in time is not answering: trying again would only wait as long again.
      if (error instanceof playwright().errors.TimeoutError) throw new DeadlineError('the screenshot', config.pageAnswerMs);
      lastError = error;
      log.warn(`screenshot attempt ${attempt + 1} failed in session ${sessionId}`, error);
    }
  }
  throw new ScreenshotError(`Could not take a screenshot of session ${sessionId}: ${(lastError as Error)?.message ?? lastError}`);
}
