import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeGrayPng } from '../../src/io/gray-png.js';

describe('encodeGrayPng', () => {
  it('writes an 8-bit one-channel PNG that decodes to the same bytes', async () => {
    const width = 37, height = 11;
    const data = new Uint8Array(width * height).map((_, i) => (i * 97) % 256);
    const png = encodeGrayPng({ width, height, data });
    const meta = await sharp(png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels, meta.depth]).toEqual(['png', width, height, 1, 'uchar']);
    expect(Array.from(await sharp(png).extractChannel(0).raw().toBuffer())).toEqual(Array.from(data));
    expect(() => encodeGrayPng({ width: 2, height: 2, data: new Uint8Array(3) })).toThrow(/expected 2x2 = 4/);
  });
});
