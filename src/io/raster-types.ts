/**
 * What a raster decoder returns and the pixel limit every raster decoder honours. Browser-safe:
 * the Node decoder (sharp) is in raster.ts, the browser app brings its own (canvas) and hands it
 * to `decodeGrayInput` as `decodeRaster`.
 */
import { MedcolorError } from '../errors.js';
import type { GrayImage, RgbImage } from '../image/types.js';

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

/** Decoding and PNG encoding of raster images: sharp in Node (io/raster.ts), the canvas in a browser. */
export interface RasterCodec {
  decode: RasterDecoder;
  /** 8-bit sRGB to PNG bytes. */
  encodePng(img: RgbImage): Promise<Uint8Array>;
}
