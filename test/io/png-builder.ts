/** Builds gray PNG files byte by byte from the PNG specification (IHDR, one IDAT, IEND), for inputs sharp would not write. */
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed) >>> 0);
  return Buffer.concat([len, typed, crc]);
}

/**
 * A grayscale PNG (color type 0) of `width` x `height` at `bitDepth` whose scanlines are
 * `scanlines` (each row: filter byte, then the packed samples, big endian).
 */
export function buildGrayPng(width: number, height: number, bitDepth: 1 | 2 | 4 | 8 | 16, scanlines: Buffer): Buffer {
  const rowBytes = 1 + Math.ceil((width * bitDepth) / 8);
  if (scanlines.length !== height * rowBytes) throw new Error(`expected ${height * rowBytes} bytes of scanlines, got ${scanlines.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = 0; // grayscale
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(scanlines, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}
