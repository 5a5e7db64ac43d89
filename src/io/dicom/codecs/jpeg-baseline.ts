/**
 * JPEG Baseline (process 1) and Extended (process 2 & 4) frames: 8-bit streams decoded by
 * libjpeg-turbo (WebAssembly), 12-bit streams sent on to jpeg12.ts, which libjpeg-turbo's 8-bit
 * build cannot decode. Browser-safe: no Node built-ins.
 */
import { decodeWithEmscripten, type EmscriptenCodec } from './emscripten.js';
import { decodeJpeg12 } from './jpeg12.js';
import { markJpegAsRgb, readJpegPrecision } from './jpeg-markers.js';
import type { DecodedFrame, FrameSpec } from './types.js';

const LIBJPEG_TURBO: EmscriptenCodec = { name: 'jpeg', load: () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs') };

/** Decodes one JPEG Baseline or Extended frame. */
export async function decodeJpegBaseline(data: Uint8Array, spec: FrameSpec, file?: string): Promise<DecodedFrame> {
  const precision = readJpegPrecision(data);
  if (precision > 8) return decodeJpeg12(data, spec, precision, file);
  const stream = spec.photometric === 'RGB' && spec.samplesPerPixel === 3 ? markJpegAsRgb(data) : data;
  const { frame } = await decodeWithEmscripten(LIBJPEG_TURBO, stream, file);
  // libjpeg outputs RGB (it follows the JFIF/Adobe markers).
  return { ...frame, colorConverted: frame.components === 3 };
}
