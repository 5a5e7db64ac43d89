/**
 * The browser's own PNG/JPEG decoder (createImageBitmap: EXIF orientation applied, ICC profiles
 * converted to sRGB, as sharp does in Node) handed to the library's `decodeGrayInput` as its
 * `decodeRaster`; the library turns the pixels into a gray or color RasterImage. PNG encoding
 * through OffscreenCanvas for downloads.
 */
import { checkPixelLimit, DEFAULT_MAX_PIXELS, MedcolorError, rasterFromRgb, type RasterDecoder, type RgbImage } from '../../src/browser.js';

/** Decodes PNG/JPEG/WebP/GIF/AVIF bytes to 8-bit sRGB with the browser's decoders (alpha dropped). */
export async function decodeRgbInBrowser(bytes: Uint8Array, source?: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<RgbImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch (e) {
    throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', `not a readable raster image (${(e as Error).message}); supported here: PNG, JPEG, WebP, GIF, AVIF`, {
      file: source,
      cause: e,
    });
  }
  const { width, height } = bitmap;
  checkPixelLimit(width, height, maxPixels, source);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; j < rgba.length; i += 3, j += 4) {
    data[i] = rgba[j];
    data[i + 1] = rgba[j + 1];
    data[i + 2] = rgba[j + 2];
  }
  return { width, height, data };
}

/** The RasterDecoder of the browser (8-bit: browsers decode 16-bit PNGs to 8 bits). */
export const decodeRasterInBrowser: RasterDecoder = async (bytes, options) => {
  const rgb = await decodeRgbInBrowser(bytes, options.source, options.maxPixels);
  return rasterFromRgb(rgb, { source: options.source, extra: { decoder: 'browser' } });
};

/** 8-bit sRGB to PNG bytes with OffscreenCanvas. */
export async function encodePngInBrowser(rgb: RgbImage): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(rgb.width, rgb.height);
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(rgb.width, rgb.height);
  for (let i = 0, n = rgb.width * rgb.height; i < n; i++) {
    img.data[4 * i] = rgb.data[3 * i];
    img.data[4 * i + 1] = rgb.data[3 * i + 1];
    img.data[4 * i + 2] = rgb.data[3 * i + 2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
}
