/**
 * Running one of the Emscripten (WebAssembly) decoders that cornerstone3D publishes
 * (libjpeg-turbo, CharLS, OpenJPEG, OpenJPH): each module is instantiated once, on first use; a
 * frame is copied in, decoded, and its samples copied out of WebAssembly memory. The decoder
 * files of this folder add what is particular to each codec. Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../../errors.js';
import { describeCodecError } from './codec-error.js';
import type { DecodedFrame } from './types.js';

/** One Emscripten codec: a name for messages and caching, and the dynamic import of its module. */
export interface EmscriptenCodec {
  name: string;
  load: () => Promise<{ default: EmscriptenCodecFactory }>;
}

const cache = new Map<string, Promise<EmscriptenCodecModule>>();

function loadModule(codec: EmscriptenCodec): Promise<EmscriptenCodecModule> {
  let p = cache.get(codec.name);
  if (!p) {
    // A fresh options object per module: Emscripten stores its heap views on it, so sharing
    // one between modules makes them write into each other's memory.
    p = codec.load().then((m) => m.default({ print: () => {}, printErr: () => {} }));
    cache.set(codec.name, p);
  }
  return p;
}

/** A decoded frame (colorConverted left false: the caller knows its codec) and the JPEG-LS interleave mode. */
export interface EmscriptenResult {
  frame: DecodedFrame;
  /** JPEG-LS only: 0 when the codestream was planar (the samples are then planar too). */
  interleaveMode?: number;
}

/**
 * Decodes one codestream with an Emscripten codec.
 *
 * @example
 * const { frame } = await decodeWithEmscripten(CHARLS, fragmentBytes, 'ct.dcm');
 */
export async function decodeWithEmscripten(codec: EmscriptenCodec, data: Uint8Array, file?: string): Promise<EmscriptenResult> {
  const mod = await loadModule(codec);
  const Ctor = mod.JPEGDecoder ?? mod.JpegLSDecoder ?? mod.J2KDecoder ?? mod.HTJ2KDecoder;
  if (!Ctor) throw new MedcolorError('ERR_DICOM_CODEC', `codec module '${codec.name}' has no decoder class`, { file });
  const decoder = new Ctor();
  try {
    decoder.getEncodedBuffer(data.length).set(data);
    decoder.decode();
    const info = decoder.getFrameInfo();
    const raw = decoder.getDecodedBuffer();
    const bytesPerSample = info.bitsPerSample <= 8 ? 1 : 2;
    const n = info.width * info.height * info.componentCount;
    if (raw.length < n * bytesPerSample) {
      throw new Error(`decoded ${raw.length} bytes, expected ${n * bytesPerSample}`);
    }
    // Copy out of WebAssembly memory before the decoder is deleted.
    const copy = raw.slice(0, n * bytesPerSample);
    let samples: DecodedFrame['samples'];
    if (bytesPerSample === 1) samples = info.isSigned ? new Int8Array(copy.buffer) : new Uint8Array(copy.buffer);
    else samples = info.isSigned ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
    return {
      frame: {
        width: info.width,
        height: info.height,
        components: info.componentCount,
        samples,
        bitsPerSample: info.bitsPerSample,
        signed: !!info.isSigned,
        colorConverted: false,
      },
      interleaveMode: decoder.getInterleaveMode?.(),
    };
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `${codec.name} decoder failed: ${describeCodecError(e, decoder)}`, {
      file,
      cause: e,
    });
  } finally {
    decoder.delete();
  }
}
