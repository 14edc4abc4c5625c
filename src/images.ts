/** What the client's screenshots (tools/client-image.ts) and a model's (providers/anthropic/claude-screen.ts) are resized with. */

/** Limits of the screenshots sent to the MCP client (not to a computer-use model): --max-image-bytes, --max-image-pixels. */
export interface ClientImageLimits {
  maxBytes: number;
  /** Longest side in pixels; unset: the screenshot size. */
  maxSide?: number;
}

/** An image's size in pixels. */
export interface Size {
  width: number;
  height: number;
}

let sharpModule: Promise<typeof import('sharp')> | undefined;

/** sharp loads libvips (hundreds of ms): on the first image that must change, not at every server start. */
export async function loadSharp(): Promise<typeof import('sharp').default> {
  return (await (sharpModule ??= import('sharp'))).default;
}
