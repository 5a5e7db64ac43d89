/**
 * What a raster decoder returns, how it is built from decoded pixels, and the pixel limit every
 * raster decoder honours. Browser-safe: the Node decoder (sharp) is in raster.ts; the browser app
 * decodes with its own (canvas), builds the result with `rasterFromRgb` and hands the decoder to
 * `decodeGrayInput` as `decodeRaster`.
 */
import { rgbToLightnessGray } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { GrayImage, GrayMeta, RgbImage } from '../image/types.js';

/** A decoded raster image: a gray image, or a color image with its gray (same L*) beside it. */
export type RasterImage =
  | { kind: 'gray'; gray: GrayImage; bitDepth: 8 | 16 }
  | { kind: 'rgb'; rgb: RgbImage; gray: GrayImage; bitDepth: 8 | 16 };

/** Options every raster decoder takes. */
export interface RasterDecodeOptions {
  /** File name for messages and meta.source. */
  source?: string;
  /** Largest image accepted, in pixels (width x height). Default {@link DEFAULT_MAX_PIXELS}. */
  maxPixels?: number;
}

/** Decodes raster bytes (PNG, JPEG, ...) into a RasterImage; injected where sharp is not available. */
export type RasterDecoder = (bytes: Uint8Array, options: RasterDecodeOptions) => Promise<RasterImage>;

/**
 * Default pixel limit: 16383 x 16383 (268 megapixels, libvips' own default). A decoded gray
 * image needs 4 bytes per pixel and its color result about 20 more, so the default keeps one
 * image under about 6 GiB.
 */
export const DEFAULT_MAX_PIXELS = 16383 * 16383;

/**
 * Throws ERR_IMAGE_TOO_LARGE when width x height exceeds `maxPixels`, saying by how much and how
 * to raise the limit.
 *
 * @example
 * checkPixelLimit(30000, 30000, DEFAULT_MAX_PIXELS, 'huge.png'); // throws ERR_IMAGE_TOO_LARGE
 */
export function checkPixelLimit(width: number, height: number, maxPixels: number, file?: string): void {
  const n = width * height;
  if (n <= maxPixels) return;
  const mp = (v: number) => `${(v / 1e6).toFixed(v < 1e7 ? 1 : 0)} megapixels`;
  throw new MedcolorError(
    'ERR_IMAGE_TOO_LARGE',
    `the image is ${width} x ${height} = ${n} pixels (${mp(n)}); the limit is ${Math.floor(maxPixels)} pixels (${mp(maxPixels)}). ` +
      `To read it anyway raise the limit: --max-pixels ${n} on the command line, maxPixels: ${n} in the library ` +
      `(it needs about ${Math.ceil((n * 24) / 2 ** 30)} GiB of memory)`,
    { file },
  );
}

/**
 * Display metadata of a raster gray image: a LINEAR_EXACT window over 0..max, so that a value
 * is shown as it is stored (v = value / max).
 *
 * @example
 * rasterGrayMeta(65535, 'xray.png').windows; // [{ center: 32767.5, width: 65535, ... }]
 */
export function rasterGrayMeta(max: number, source = '', extra: Record<string, unknown> = {}): GrayMeta {
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
    source,
    extra,
  };
}

/** Options of {@link rasterFromRgb}. */
export interface RasterFromRgbOptions {
  /** File name for meta.source. */
  source?: string;
  /** An image whose pixels all have R = G = B is gray (default true: many radiographs are saved as RGB). */
  detectGray?: boolean;
  /** Bit depth the file had (default 8); a 16-bit color file is still read as 8-bit sRGB. */
  bitDepth?: 8 | 16;
  /** Kept in meta.extra (format, color space, ...). */
  extra?: Record<string, unknown>;
}

/**
 * The RasterImage of decoded 8-bit sRGB pixels: gray when every pixel has R = G = B, else the
 * colors plus a gray image of the same CIELAB L* (with a notice). Every raster decoder ends here.
 *
 * @example
 * // In a browser: canvas pixels (RGBA dropped to RGB) -> what decodeGrayInput needs
 * const raster = rasterFromRgb({ width, height, data: rgb }, { source: file.name });
 */
export function rasterFromRgb(rgb: RgbImage, options: RasterFromRgbOptions = {}): RasterImage {
  const { source = '', extra = {} } = options;
  const n = rgb.width * rgb.height;
  if (rgb.data.length !== n * 3) {
    throw new MedcolorError('ERR_IMAGE_SIZE', `RGB data has ${rgb.data.length} bytes; expected ${rgb.width}x${rgb.height}x3 = ${n * 3}`, { file: source || undefined });
  }
  if (options.detectGray !== false && options.bitDepth !== 16) {
    let same = true;
    for (let i = 0; i < rgb.data.length && same; i += 3) same = rgb.data[i] === rgb.data[i + 1] && rgb.data[i] === rgb.data[i + 2];
    if (same) {
      const values = new Float32Array(n);
      for (let i = 0; i < n; i++) values[i] = rgb.data[3 * i];
      return { kind: 'gray', bitDepth: 8, gray: { width: rgb.width, height: rgb.height, data: values, meta: rasterGrayMeta(255, source, extra) } };
    }
  }
  const gray: GrayImage = {
    width: rgb.width,
    height: rgb.height,
    data: rgbToLightnessGray(rgb.data),
    meta: rasterGrayMeta(255, source, { ...extra, notices: ['color image converted to gray of the same CIELAB L*'] }),
  };
  return { kind: 'rgb', bitDepth: options.bitDepth ?? 8, rgb, gray };
}

/** Decoding and PNG encoding of raster images: sharp in Node (io/raster.ts), the canvas in a browser. */
export interface RasterCodec {
  decode: RasterDecoder;
  /** 8-bit sRGB to PNG bytes. */
  encodePng(img: RgbImage): Promise<Uint8Array>;
}
