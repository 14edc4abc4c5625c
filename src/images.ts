/** What the client's screenshots (tools/client-image.ts) and a model's (providers/anthropic/claude-screen.ts) are resized with. */

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
