import type { Screenshot } from '../../computer/computer.js';
import { loadSharp, type Size } from '../../images.js';
import type { ScreenInput } from '../../agent/translator.js';

/** Anthropic downsamples larger images, and clicks then land off target: Claude's screenshots stay within both limits. */
export const MAX_LONG_EDGE = 1568;
export const MAX_PIXELS = 1_150_000;

/** The sizes the reference harness scales larger screens to, by aspect ratio: XGA, WXGA, FWXGA. */
const TARGETS: Size[] = [
  { width: 1024, height: 768 },
  { width: 1280, height: 800 },
  { width: 1366, height: 768 },
];

/**
 * The screenshot size Claude is told and sent: a larger screen of a common
 * aspect ratio goes to the reference harness's target for it (1920x1080 →
 * 1366x768), any other screen over the limits is scaled to fit them, and a
 * screen within them is left alone.
 */
export function claudeImageSize(screen: Size): Size {
  const ratio = screen.width / screen.height;
  const target = TARGETS.find((t) => Math.abs(t.width / t.height - ratio) < 0.02 && t.width < screen.width);
  if (target) return target;
  if (Math.max(screen.width, screen.height) <= MAX_LONG_EDGE && screen.width * screen.height <= MAX_PIXELS) return screen;
  return fitWithin(screen, { width: MAX_LONG_EDGE, height: MAX_LONG_EDGE });
}

/** The largest size of `size`'s aspect ratio within `box` and Claude's pixel limit (scaling up too). */
function fitWithin(size: Size, box: Size): Size {
  const factor = Math.min(box.width / size.width, box.height / size.height, Math.sqrt(MAX_PIXELS / (size.width * size.height)));
  return { width: Math.max(1, Math.floor(size.width * factor)), height: Math.max(1, Math.floor(size.height * factor)) };
}

async function encode(shot: Screenshot, pipeline: import('sharp').Sharp, size: Size): Promise<ScreenInput['shot']> {
  const data = shot.mimeType === 'image/png' ? await pipeline.png().toBuffer() : await pipeline.jpeg({ quality: 80 }).toBuffer();
  return { data, mimeType: shot.mimeType, ...size };
}

/** The screen scaled to `size` (unchanged when it already is that size). */
export async function scaledScreen(screen: ScreenInput, size: Size): Promise<ScreenInput> {
  const { shot } = screen;
  if (shot.width === size.width && shot.height === size.height) return screen;
  const sharp = await loadSharp();
  const scaled = await encode(shot, sharp(shot.data).resize(size.width, size.height, { fit: 'fill' }), size);
  return { ...screen, shot: scaled, dataUrl: `data:${scaled.mimeType};base64,${scaled.data.toString('base64')}` };
}

/**
 * A region of the screen, in screenshot pixels, cut from the full-resolution
 * screenshot and enlarged to fill an image of Claude's size: what `zoom`
 * answers with.
 */
export async function zoomedRegion(
  shot: Screenshot,
  region: { left: number; top: number; width: number; height: number },
  size: Size,
): Promise<Screenshot> {
  const sharp = await loadSharp();
  const target = fitWithin(region, size);
  return encode(shot, sharp(shot.data).extract(region).resize(target.width, target.height, { fit: 'fill' }), target);
}
