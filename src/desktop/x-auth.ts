import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

/** The one X authorization protocol every client library speaks: the client presents a secret the server was given. */
export const COOKIE_PROTOCOL = 'MIT-MAGIC-COOKIE-1';

/** FamilyWild: the entry matches any address and, with an empty display number, any display. */
const FAMILY_WILD = 0xffff;

function counted(field: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(field.length);
  return Buffer.concat([length, field]);
}

/**
 * Writes a new random cookie to `file` (created, never overwritten, 0600)
 * as an Xauthority file: what Xvfb reads with `-auth`, and what every
 * client (libXau, xcb, npm x11) reads from XAUTHORITY. Returns the cookie.
 */
export function writeXauthority(file: string): Buffer {
  const cookie = randomBytes(16);
  const family = Buffer.alloc(2);
  family.writeUInt16BE(FAMILY_WILD);
  const entry = Buffer.concat([
    family,
    counted(Buffer.alloc(0)),
    counted(Buffer.alloc(0)),
    counted(Buffer.from(COOKIE_PROTOCOL)),
    counted(cookie),
  ]);
  fs.writeFileSync(file, entry, { mode: 0o600, flag: 'wx' });
  return cookie;
}
