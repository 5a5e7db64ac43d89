/** JPEG-LS (lossless and near-lossless) frames, decoded by CharLS (WebAssembly). Browser-safe: no Node built-ins. */
import { planarToInterleaved } from '../native-samples.js';
import { decodeWithEmscripten, type EmscriptenCodec } from './emscripten.js';
import type { DecodedFrame } from './types.js';

const CHARLS: EmscriptenCodec = { name: 'jls', load: () => import('@cornerstonejs/codec-charls/decodewasmjs') };

/**
 * The codestream with an EOI marker at its end. CharLS reads a truncated scan (no EOI) for tens
 * of seconds before it fails (found by test/fuzz: 45 s for a 1024x1024 frame cut short); with
 * the marker it fails at once. A complete codestream is passed as it is.
 */
function withEndMarker(data: Uint8Array): Uint8Array {
  const n = data.length;
  const endsWithEoi = (at: number) => at >= 1 && data[at - 1] === 0xff && data[at] === 0xd9;
  if (endsWithEoi(n - 1) || (data[n - 1] === 0 && endsWithEoi(n - 2))) return data;
  const out = new Uint8Array(n + 2);
  out.set(data);
  out[n] = 0xff;
  out[n + 1] = 0xd9;
  return out;
}

/** Decodes one JPEG-LS frame; samples of a planar (interleave mode 0) codestream come back interleaved. */
export async function decodeJpegLs(data: Uint8Array, file?: string): Promise<DecodedFrame> {
  const { frame, interleaveMode } = await decodeWithEmscripten(CHARLS, withEndMarker(data), file);
  if (frame.components === 3 && (interleaveMode ?? 2) === 0) {
    return { ...frame, samples: planarToInterleaved(frame.samples, frame.width * frame.height, 3) };
  }
  return frame;
}
