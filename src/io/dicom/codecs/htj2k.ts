/** High-Throughput JPEG 2000 frames, decoded by OpenJPH (WebAssembly). Browser-safe: no Node built-ins. */
import { decodeWithEmscripten, type EmscriptenCodec } from './emscripten.js';
import type { DecodedFrame } from './types.js';

const OPENJPH: EmscriptenCodec = { name: 'htj2k', load: () => import('@cornerstonejs/codec-openjph') };

/** Decodes one HTJ2K frame; a multi-component transform is undone inside the codec. */
export async function decodeHtj2k(data: Uint8Array, file?: string): Promise<DecodedFrame> {
  const { frame } = await decodeWithEmscripten(OPENJPH, data, file);
  return { ...frame, colorConverted: frame.components === 3 };
}
