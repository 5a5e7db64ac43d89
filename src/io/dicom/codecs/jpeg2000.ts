/** JPEG 2000 (Part 1) frames, decoded by OpenJPEG (WebAssembly). Browser-safe: no Node built-ins. */
import { decodeWithEmscripten, type EmscriptenCodec } from './emscripten.js';
import type { DecodedFrame } from './types.js';

const OPENJPEG: EmscriptenCodec = { name: 'j2k', load: () => import('@cornerstonejs/codec-openjpeg/decodewasmjs') };

/** Decodes one JPEG 2000 frame; a multi-component transform (ICT/RCT) is undone inside the codec. */
export async function decodeJpeg2000(data: Uint8Array, file?: string): Promise<DecodedFrame> {
  const { frame } = await decodeWithEmscripten(OPENJPEG, data, file);
  return { ...frame, colorConverted: frame.components === 3 };
}
