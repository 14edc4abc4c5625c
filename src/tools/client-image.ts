import type { Screenshot } from '../computer/computer.js';
import type { ClientImageLimits } from '../images.js';
import { loadSharp, type Size } from '../images.js';

/**
 * Screenshots as MCP clients accept them. Several clients refuse a tool
 * result over about 1 MB, or images over about 1568 px on the long side, and
 * a busy page at 1920x1080 passes both as PNG. The computer-use model of
 * run_task never goes through here: it gets the screenshot at the display
 * size it was told.
 */

/** The image a client gets, and what was done to it. */
export interface ClientImage {
  data: Buffer;
  mimeType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  /** Image pixels per coordinate pixel: below 1 only when the bytes limit forced an image smaller than the client's coordinate space. */
  scale: number;
  notes: string[];
}

const JPEG_QUALITIES = [80, 60, 40];
/** Last resort for a page of noise: smaller images, in coordinate space fractions. */
const SHRINK_STEPS = [0.75, 0.5, 0.35, 0.25];
const SHRUNK_QUALITY = 60;

/**
 * The coordinate space of the client's tools: the screenshot, scaled down to
 * fit `maxSide`. Sending images at this size and reading the client's
 * coordinates in it keeps a click on what the client sees landing there.
 */
export function clientDisplay(screen: Size, limits: ClientImageLimits): Size {
  const longest = Math.max(screen.width, screen.height);
  if (!limits.maxSide || longest <= limits.maxSide) return { width: screen.width, height: screen.height };
  const factor = limits.maxSide / longest;
  return { width: Math.max(1, Math.round(screen.width * factor)), height: Math.max(1, Math.round(screen.height * factor)) };
}

function kilobytes(bytes: number): string {
  return `${Math.round(bytes / 1000)} KB`;
}

/** Fits a screenshot to the client's limits: scaled to its coordinate space, then JPEG, then (rarely) smaller. */
export async function fitForClient(shot: Screenshot, limits: ClientImageLimits): Promise<ClientImage> {
  const target = clientDisplay(shot, limits);
  const notes = shot.note ? [shot.note] : [];
  const resized = target.width !== shot.width || target.height !== shot.height;
  if (!resized && shot.data.length <= limits.maxBytes) return { ...shot, scale: 1, notes };

  const sharp = await loadSharp();
  const source = sharp(shot.data);
  const at = (size: Size) => source.clone().resize(size.width, size.height, { fit: 'fill' });
  if (resized)
    notes.push(
      `scaled from ${shot.width}x${shot.height} to ${target.width}x${target.height} (--max-image-pixels); coordinates are pixels of this image`,
    );

  let data = shot.data;
  // A scaled PNG is worth encoding only if it may fit: its size goes roughly with its area.
  const areaShare = (target.width * target.height) / (shot.width * shot.height);
  if (resized && (shot.mimeType === 'image/jpeg' || shot.data.length * areaShare <= limits.maxBytes)) {
    data =
      shot.mimeType === 'image/png' ? await at(target).png().toBuffer() : await at(target).jpeg({ quality: JPEG_QUALITIES[0] }).toBuffer();
    if (data.length <= limits.maxBytes) return { data, mimeType: shot.mimeType, ...target, scale: 1, notes };
  }
  const over = `${shot.mimeType === 'image/png' ? 'PNG' : 'JPEG'} of ${kilobytes(data.length)} is over --max-image-bytes ${limits.maxBytes}`;
  for (const quality of JPEG_QUALITIES) {
    data = await at(target).jpeg({ quality }).toBuffer();
    if (data.length <= limits.maxBytes) {
      notes.push(`sent as JPEG at quality ${quality}: the ${over}`);
      return { data, mimeType: 'image/jpeg', ...target, scale: 1, notes };
    }
  }
  // A page of noise: a smaller image, the smallest step whatever its size.
  let size = target;
  let factor = 1;
  for (factor of SHRINK_STEPS) {
    size = { width: Math.max(1, Math.round(target.width * factor)), height: Math.max(1, Math.round(target.height * factor)) };
    data = await at(size).jpeg({ quality: SHRUNK_QUALITY }).toBuffer();
    if (data.length <= limits.maxBytes) break;
  }
  notes.push(
    `sent as a ${size.width}x${size.height} JPEG, ${factor} of the display, because even a JPEG at full size is over --max-image-bytes ${limits.maxBytes}: ` +
      `coordinates stay display pixels (${target.width}x${target.height}), so multiply positions in this image by ${+(1 / factor).toFixed(3)}`,
  );
  return { data, mimeType: 'image/jpeg', ...size, scale: factor, notes };
}
