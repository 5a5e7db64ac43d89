/**
 * Raster images (PNG, JPEG, TIFF, WebP, ... whatever sharp/libvips reads) in and PNG out, from
 * bytes or files. Gray files keep their bit depth (a 16-bit PNG keeps 0..65535); color files
 * come back as 8-bit sRGB plus a gray image of the same lightness. Images larger than a pixel
 * limit are refused before decoding. Node only (sharp).
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import { writeFileAtomic } from './atomic.js';
import { readFileBytes } from './read-file.js';
import {
  DEFAULT_MAX_PIXELS,
  checkPixelLimit,
  rasterFromRgb,
  rasterGrayMeta,
  type RasterCodec,
  type RasterDecodeOptions,
  type RasterImage,
} from './raster-image.js';

export { DEFAULT_MAX_PIXELS, type RasterCodec, type RasterDecodeOptions, type RasterDecoder, type RasterImage } from './raster-image.js';

/** Options of `readRaster` / `decodeRaster`. */
export interface RasterReadOptions extends RasterDecodeOptions {
  /**
   * Treat an RGB file whose pixels all have R = G = B as gray (default true): many radiographs
   * are saved as RGB JPEGs.
   */
  detectGray?: boolean;
}

/** Options of `readRasterRgb` / `decodeRasterRgb`. */
export interface RasterRgbOptions extends RasterDecodeOptions {
  /**
   * Resize to size x size (fit 'fill', bicubic like Pillow's default resize), the convention of
   * the evaluation tables. Default: full resolution.
   */
  size?: number;
}

function failRead(file: string | undefined, e: unknown): never {
  if (e instanceof MedcolorError) throw e;
  const msg = e instanceof Error ? e.message : String(e);
  throw new MedcolorError(
    'ERR_UNSUPPORTED_FORMAT',
    `not a readable raster image (${msg}); supported: PNG, JPEG, TIFF, WebP, GIF, AVIF`,
    { file, cause: e },
  );
}

/**
 * A sharp pipeline over `bytes` after checking the image's size against the pixel limit
 * (sharp's own limit is set to the same number, so a header that lies is caught too).
 * `failOn: 'error'`: images with recoverable warnings (a slightly truncated JPEG) still decode.
 */
async function openChecked(bytes: Uint8Array, options: RasterDecodeOptions): Promise<{ img: Sharp; meta: Metadata }> {
  const file = options.source;
  const limit = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    failRead(file, e);
  }
  checkPixelLimit(meta.width ?? 0, meta.height ?? 0, limit, file);
  return { img: sharp(bytes, { failOn: 'error', limitInputPixels: Math.max(1, Math.floor(limit)) }), meta };
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
  return decodeRaster(await readFileBytes(file), { ...options, source: file });
}

/**
 * Decodes raster bytes (PNG, JPEG, TIFF, WebP, GIF, AVIF); see `readRaster`. Refuses images of
 * more than `maxPixels` pixels with ERR_IMAGE_TOO_LARGE before decoding them.
 *
 * @example
 * const r = await decodeRaster(pngBytes, { source: 'upload.png' });
 */
export async function decodeRaster(bytes: Uint8Array, options: RasterReadOptions = {}): Promise<RasterImage> {
  const file = options.source ?? '';
  const { img: opened, meta } = await openChecked(bytes, options);
  const sixteen = meta.depth === 'ushort' || meta.depth === 'short';
  const hasColor = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0) >= 3;
  const extra = { format: meta.format, space: meta.space, depth: meta.depth };
  if (!hasColor) {
    const { data, info } = await opened
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
    return { kind: 'gray', bitDepth: sixteen ? 16 : 8, gray: { width: info.width, height: info.height, data: values, meta: rasterGrayMeta(max, file, extra) } };
  }
  const rgb = await decodeRasterRgb(bytes, options);
  return rasterFromRgb(rgb, { source: file, detectGray: options.detectGray, bitDepth: sixteen ? 16 : 8, extra });
}

/**
 * Reads any raster file as 8-bit sRGB (gray files replicated to 3 channels, 16-bit scaled,
 * ICC profiles converted to sRGB, EXIF orientation applied, alpha dropped: the stored colors are
 * kept, not blended onto a background), optionally resized to size x size. The one color-image
 * reader: evaluation truths, references, scribble images.
 *
 * @example
 * const rgb = await readRasterRgb('photo.jpg'); // rgb.data: width*height*3 bytes
 * const truth = await readRasterRgb('val/0.jpg', { size: 256 });
 */
export async function readRasterRgb(file: string, options: RasterRgbOptions = {}): Promise<RgbImage> {
  return decodeRasterRgb(await readFileBytes(file), { ...options, source: file });
}

/**
 * Decodes raster bytes as 8-bit sRGB; see `readRasterRgb`.
 *
 * @example
 * const rgb = await decodeRasterRgb(jpegBytes, { size: 256 });
 */
export async function decodeRasterRgb(bytes: Uint8Array, options: RasterRgbOptions = {}): Promise<RgbImage> {
  const file = options.source;
  const size = options.size;
  if (size !== undefined && !(Number.isInteger(size) && size >= 1 && size <= 65535)) {
    throw new MedcolorError('ERR_USAGE', `size must be an integer 1..65535; found ${size}`, { file });
  }
  let { img } = await openChecked(bytes, options);
  img = img.rotate().removeAlpha().toColourspace('srgb');
  // Bicubic (Catmull-Rom, antialiased when shrinking), as Pillow's default resize: the README's
  // reference figures were made that way (gray PSNR on kvasir/val: 16.197 here, 16.199 with
  // Pillow; sharp's default lanczos3 gives 16.206).
  if (size) img = img.resize(size, size, { fit: 'fill', kernel: 'cubic' });
  const { data, info } = await img
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

/**
 * The Node raster codec (sharp), for the byte-level functions that take one
 * (`colorizeBytes`, `encodeOutputs`).
 *
 * @example
 * const out = await colorizeBytes(bytes, method, { name: 'x.png', raster: sharpRasterCodec });
 */
export const sharpRasterCodec: RasterCodec = { decode: decodeRaster, encodePng };
