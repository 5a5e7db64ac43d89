/** JPEG-LS (lossless and near-lossless) frames, decoded by CharLS (WebAssembly). Browser-safe: no Node built-ins. */
import { planarToInterleaved } from '../native-samples.js';
import { decodeWithEmscripten, type EmscriptenCodec } from './emscripten.js';
import type { DecodedFrame } from './types.js';

const CHARLS: EmscriptenCodec = { name: 'jls', load: () => import('@cornerstonejs/codec-charls/decodewasmjs') };

/** Decodes one JPEG-LS frame; samples of a planar (interleave mode 0) codestream come back interleaved. */
export async function decodeJpegLs(data: Uint8Array, file?: string): Promise<DecodedFrame> {
  const { frame, interleaveMode } = await decodeWithEmscripten(CHARLS, data, file);
  if (frame.components === 3 && (interleaveMode ?? 2) === 0) {
    return { ...frame, samples: planarToInterleaved(frame.samples, frame.width * frame.height, 3) };
  }
  return frame;
}
