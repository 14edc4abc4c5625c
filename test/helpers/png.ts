import { PNG } from 'pngjs';

/** Decodes a PNG screenshot so tests can check what it shows. */
export function decodePng(data: Buffer): PNG {
  return PNG.sync.read(data);
}

/** [r, g, b] of one pixel. */
export function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}
