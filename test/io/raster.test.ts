/**
 * Raster I/O with sharp: bit depth kept for gray, sRGB for color, PNG written atomically.
 * Reference pixel values for the shared JPEGs come from Pillow 12 (libjpeg-turbo), stored here.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { readRaster, readRasterRgb, writePng } from '../../src/io/raster.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { grayToL } from '../../src/image/window.js';
import { srgb8ToL } from '../../src/color/lab.js';
import { hasSharedData, sharedData } from '../fixtures.js';
import { buildGrayPng } from './png-builder.js';

const data = sharedData();
/** A 16-bit grayscale PNG of `values`, built from the PNG specification. */
function makePng16(w: number, h: number, values: Uint16Array): Buffer {
  const rows = Buffer.alloc(h * (1 + 2 * w));
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rows.writeUInt16BE(values[y * w + x], y * (1 + 2 * w) + 1 + 2 * x);
  return buildGrayPng(w, h, 16, rows);
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'medcolor-raster-'));

describe('readRaster', () => {
  it('keeps the values of a 16-bit gray PNG', async () => {
    const w = 300, h = 2;
    const raw = new Uint16Array(w * h);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 219) % 65536;
    raw[5] = 65535;
    const file = path.join(tmp(), 'ramp16.png');
    writeFileSync(file, makePng16(w, h, raw));
    const r = await readRaster(file);
    expect(r.kind).toBe('gray');
    expect(r.bitDepth).toBe(16);
    expect(r.gray.meta.valueRange).toEqual([0, 65535]);
    expect(Array.from(r.gray.data)).toEqual(Array.from(raw));
    // Shown as stored: L* of value 65535 is 100, of 0 is 0.
    const L = grayToL(r.gray);
    expect(L[5]).toBeCloseTo(100, 4);
    expect(L[0]).toBe(0);
  });

  it('reads 8-bit gray, and RGB files whose pixels are gray, as gray', async () => {
    const raw = Uint8Array.from({ length: 64 }, (_, i) => i * 4);
    const dir = tmp();
    const g = path.join(dir, 'g.png');
    await sharp(Buffer.from(raw), { raw: { width: 8, height: 8, channels: 1 } }).png().toFile(g);
    const r = await readRaster(g);
    expect(r.kind === 'gray' && r.bitDepth === 8).toBe(true);
    expect(Array.from(r.gray.data)).toEqual(Array.from(raw));
    const rgbGray = new Uint8Array(64 * 3);
    for (let i = 0; i < 64; i++) rgbGray[3 * i] = rgbGray[3 * i + 1] = rgbGray[3 * i + 2] = raw[i];
    const t = path.join(dir, 'g.tif');
    await sharp(Buffer.from(rgbGray), { raw: { width: 8, height: 8, channels: 3 } }).tiff({ compression: 'lzw' }).toFile(t);
    const rt = await readRaster(t);
    expect(rt.kind).toBe('gray');
    expect(Array.from(rt.gray.data)).toEqual(Array.from(raw));
  });

  it('reads color as sRGB plus a gray of the same L*', async () => {
    const rgb = new Uint8Array(16 * 3);
    for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 256;
    const file = path.join(tmp(), 'c.webp');
    await sharp(Buffer.from(rgb), { raw: { width: 4, height: 4, channels: 3 } }).webp({ lossless: true }).toFile(file);
    const r = await readRaster(file);
    expect(r.kind).toBe('rgb');
    if (r.kind !== 'rgb') return;
    expect(Array.from(r.rgb.data)).toEqual(Array.from(rgb));
    const want = srgb8ToL(rgb);
    const got = grayToL(r.gray);
    for (let i = 0; i < 16; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-3);
  });

  it('rejects files that are not images with ERR_UNSUPPORTED_FORMAT', async () => {
    const file = path.join(tmp(), 'notes.png');
    writeFileSync(file, 'not an image');
    await expect(readRaster(file)).rejects.toMatchObject({ code: 'ERR_UNSUPPORTED_FORMAT' });
    await expect(readRaster(path.join(tmp(), 'missing.png'))).rejects.toMatchObject({ code: 'ERR_FILE_NOT_FOUND' });
  });
});

describe.skipIf(!hasSharedData())('shared JPEGs (vs Pillow)', () => {
  it('chest X-ray (8-bit gray JPEG)', async () => {
    const r = await readRaster(path.join(data, 'gray/chest-xray/00870a9c.jpg'));
    expect(r.kind).toBe('gray');
    const g = r.gray;
    expect([g.width, g.height]).toEqual([2000, 2000]);
    for (const [y, x, v] of [[0, 0, 83], [1000, 1000, 162], [1500, 700, 160]]) expect(Math.abs(g.data[y * 2000 + x] - v)).toBeLessThanOrEqual(1);
    let s = 0;
    for (const v of g.data) s += v;
    expect(Math.abs(s / g.data.length - 147.94360125)).toBeLessThan(0.05);
  });
  it('endoscopy frame (color JPEG) through readRasterRgb', async () => {
    const rgb = await readRasterRgb(path.join(data, 'color/endoscopy-kvasir/val/0.jpg'));
    expect([rgb.width, rgb.height]).toEqual([352, 352]);
    const at = (y: number, x: number) => Array.from(rgb.data.subarray((y * 352 + x) * 3, (y * 352 + x) * 3 + 3));
    expect(at(0, 0)).toEqual([0, 0, 0]);
    const p = at(100, 200);
    [141, 74, 55].forEach((v, c) => expect(Math.abs(p[c] - v)).toBeLessThanOrEqual(1));
    let s = 0;
    for (const v of rgb.data) s += v;
    expect(Math.abs(s / rgb.data.length - 97.48958064307851)).toBeLessThan(0.05);
  });
});

describe('writePng / writeFileAtomic', () => {
  it('writes a PNG that reads back exactly and leaves no temp file', async () => {
    const dir = tmp();
    const img = { width: 5, height: 3, data: Uint8Array.from({ length: 45 }, (_, i) => (i * 53) % 256) };
    const file = path.join(dir, 'out.png');
    await writePng(file, img);
    await writePng(file, img); // overwrite goes through rename too
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([5, 3, 3]);
    expect(Array.from(data)).toEqual(Array.from(img.data));
    expect(readdirSync(dir)).toEqual(['out.png']);
  });
  it('reports unwritable targets with ERR_OUTPUT and cleans up', async () => {
    const dir = tmp();
    await expect(writeFileAtomic(path.join(dir, 'no/such/dir/x.bin'), 'x')).rejects.toMatchObject({ code: 'ERR_OUTPUT' });
    expect(readdirSync(dir)).toEqual([]);
    await expect(writePng(path.join(dir, 'bad.png'), { width: 2, height: 2, data: new Uint8Array(5) })).rejects.toMatchObject({
      code: 'ERR_IMAGE_SIZE',
    });
  });
});
