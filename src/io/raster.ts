/**
 * Raster images (PNG, JPEG, TIFF, WebP, ... whatever sharp/libvips reads) in and PNG out.
 * Gray files keep their bit depth (a 16-bit PNG keeps 0..65535); color files come back as 8-bit
 * sRGB plus a gray image of the same lightness. Node only (sharp).
 */
import sharp, { type Metadata } from 'sharp';
import { MedcolorError } from '../errors.js';
import { rgbToLightnessGray } from '../color/lab.js';
import type { GrayImage, GrayMeta, RgbImage } from '../image/types.js';
import { writeFileAtomic } from './atomic.js';

/** What `readRaster` returns: a gray image, or a color image with its gray (same L*) beside it. */
export type RasterImage =
  | { kind: 'gray'; gray: GrayImage; bitDepth: 8 | 16 }
  | { kind: 'rgb'; rgb: RgbImage; gray: GrayImage; bitDepth: 8 | 16 };

/** Options of `readRaster`. */
export interface RasterReadOptions {
  /**
   * Treat an RGB file whose pixels all have R = G = B as gray (default true): many radiographs
   * are saved as RGB JPEGs.
   */
  detectGray?: boolean;
}

function failRead(file: string, e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  if (/no such file|ENOENT|file is missing/i.test(msg)) throw new MedcolorError('ERR_FILE_NOT_FOUND', 'cannot read the file (not found)', { file, cause: e });
  throw new MedcolorError(
    'ERR_UNSUPPORTED_FORMAT',
    `not a readable raster image (${msg}); supported: PNG, JPEG, TIFF, WebP, GIF, AVIF`,
    { file, cause: e },
  );
}

/** A window that shows raster values as they are: LINEAR_EXACT over 0..max gives v = value / max. */
function asIsMeta(max: number, file: string, extra: Record<string, unknown>): GrayMeta {
  return {
    modality: 'OT',
    photometric: 'MONOCHROME2',
    units: '',
    valueRange: [0, max],
    windows: [{ center: max / 2, width: max, explanation: 'as stored' }],
    voiLutFunction: 'LINEAR_EXACT',
    bitsAllocated: max > 255 ? 16 : 8,
    bitsStored: max > 255 ? 16 : 8,
    signed: false,
    frameIndex: 0,
    frameCount: 1,
    source: file,
    extra,
  };
}

/**
 * Reads a raster file. Gray files (1 channel, or RGB with R = G = B) give `kind: 'gray'` with
 * values at their stored depth (16-bit PNG/TIFF keep 0..65535); color files give 8-bit sRGB
 * (`rgb`) and a gray image of the same lightness (`gray`, 0..255). EXIF orientation is applied;
 * alpha is dropped. Every gray image carries a window that displays it exactly as stored.
 *
 * @example
 * const r = await readRaster('xray.png');
 * if (r.kind === 'gray') console.log(r.gray.meta.valueRange); // [0, 65535] for 16-bit
 */
export async function readRaster(file: string, options: RasterReadOptions = {}): Promise<RasterImage> {
  let meta: Metadata;
  try {
    meta = await sharp(file).metadata();
  } catch (e) {
    failRead(file, e);
  }
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  const hasColor = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0) >= 3;
  const extra = { format: meta.format, space: meta.space, depth: meta.depth };
  if (!hasColor) {
    const { data, info } = await sharp(file)
      .rotate()
      // sharp's raw output is 8-bit sRGB unless the gray colourspace is asked for explicitly.
      .toColourspace(sixteen ? 'grey16' : 'b-w')
      .raw({ depth: sixteen ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true })
      .catch((e: unknown) => failRead(file, e));
    const n = info.width * info.height;
    const values = new Float32Array(n);
    if (sixteen) {
      const u16 = new Uint16Array(data.buffer, data.byteOffset, n);
      values.set(u16);
    } else {
      for (let i = 0; i < n; i++) values[i] = data[i];
    }
    const max = sixteen ? 65535 : 255;
    return { kind: 'gray', bitDepth: sixteen ? 16 : 8, gray: { width: info.width, height: info.height, data: values, meta: asIsMeta(max, file, extra) } };
  }
  const rgb = await readRasterRgb(file);
  if (options.detectGray !== false) {
    let same = true;
    for (let i = 0; i < rgb.data.length && same; i += 3) same = rgb.data[i] === rgb.data[i + 1] && rgb.data[i] === rgb.data[i + 2];
    if (same && !sixteen) {
      const values = new Float32Array(rgb.width * rgb.height);
      for (let i = 0; i < values.length; i++) values[i] = rgb.data[3 * i];
      return { kind: 'gray', bitDepth: 8, gray: { width: rgb.width, height: rgb.height, data: values, meta: asIsMeta(255, file, extra) } };
    }
  }
  const gray: GrayImage = {
    width: rgb.width,
    height: rgb.height,
    data: rgbToLightnessGray(rgb.data),
    meta: asIsMeta(255, file, { ...extra, notices: ['color image converted to gray of the same CIELAB L*'] }),
  };
  return { kind: 'rgb', bitDepth: sixteen ? 16 : 8, rgb, gray };
}

/**
 * Reads any raster file as 8-bit sRGB (gray files replicated to 3 channels, 16-bit scaled,
 * ICC profiles converted to sRGB, EXIF orientation applied, alpha flattened onto black).
 *
 * @example
 * const rgb = await readRasterRgb('photo.jpg'); // rgb.data: width*height*3 bytes
 */
export async function readRasterRgb(file: string): Promise<RgbImage> {
  const { data, info } = await sharp(file)
    .rotate()
    .flatten({ background: '#000000' })
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
    .catch((e: unknown) => failRead(file, e));
  if (info.channels !== 3) {
    throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', `decoded to ${info.channels} channels; expected 3 (sRGB)`, { file });
  }
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/**
 * Encodes an 8-bit sRGB image as PNG bytes.
 *
 * @example
 * const png = await encodePng(rgb);
 */
export async function encodePng(img: RgbImage): Promise<Uint8Array> {
  if (img.data.length !== img.width * img.height * 3) {
    throw new MedcolorError('ERR_IMAGE_SIZE', `RGB data has ${img.data.length} bytes; expected ${img.width}x${img.height}x3 = ${img.width * img.height * 3}`);
  }
  const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), {
    raw: { width: img.width, height: img.height, channels: 3 },
  })
    .png()
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Writes an 8-bit sRGB image as a PNG file, atomically.
 *
 * @example
 * await writePng('out/colorized.png', rgb);
 */
export async function writePng(file: string, img: RgbImage): Promise<void> {
  await writeFileAtomic(file, await encodePng(img));
}
