/**
 * Decoders for the compressed DICOM pixel encodings, each backed by a maintained library:
 * libjpeg-turbo (8-bit JPEG baseline/extended), DCMTK's IJG via dcmjs-codecs (12-bit JPEG), CharLS (JPEG-LS), OpenJPEG (JPEG 2000), OpenJPH (HTJ2K),
 * jpeg-lossless-decoder-js (JPEG lossless, process 14), pako (deflated frames); RLE Lossless is
 * the small PackBits scheme of PS3.5 Annex G (rle.ts). The WebAssembly modules are loaded once,
 * on first use. Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../errors.js';
import type { PixelEncoding } from './transfer-syntax.js';

/** Decoded samples of one frame, interleaved (sample-interleaved, "color-by-pixel"). */
export interface DecodedFrame {
  width: number;
  height: number;
  components: number;
  /** Sample values as the codec produced them (unsigned unless `signed`). */
  samples: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
  /** Bits per sample reported by the codestream. */
  bitsPerSample: number;
  /** Whether the codestream said its samples are signed. */
  signed: boolean;
  /** True when the codec already turned YCbCr (or ICT/RCT) into RGB. */
  colorConverted: boolean;
}

/** What the decoder must know from the DICOM header to decode one frame. */
export interface FrameSpec {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  /** DICOM PhotometricInterpretation (used to tell RGB JPEG streams from YCbCr ones). */
  photometric?: string;
}

type Factory = () => Promise<{ default: EmscriptenCodecFactory }>;
const cache = new Map<string, Promise<EmscriptenCodecModule>>();

function loadModule(name: string, importer: Factory): Promise<EmscriptenCodecModule> {
  let p = cache.get(name);
  if (!p) {
    // A fresh options object per module: Emscripten stores its heap views on it, so sharing
    // one between modules makes them write into each other's memory.
    p = importer().then((m) => m.default({ print: () => {}, printErr: () => {} }));
    cache.set(name, p);
  }
  return p;
}

const loaders: Record<string, () => Promise<EmscriptenCodecModule>> = {
  jpeg: () => loadModule('jpeg', () => import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')),
  jls: () => loadModule('jls', () => import('@cornerstonejs/codec-charls/decodewasmjs')),
  j2k: () => loadModule('j2k', () => import('@cornerstonejs/codec-openjpeg/decodewasmjs')),
  htj2k: () => loadModule('htj2k', () => import('@cornerstonejs/codec-openjph')),
};

/** Describes an exception thrown out of a WebAssembly codec (often a bare pointer number). */
function describeCodecError(e: unknown, decoder?: EmscriptenCodecDecoder): string {
  let extra = '';
  try {
    extra = decoder?.getLastErrorMessage?.() ?? '';
  } catch {
    /* the decoder may be unusable after a failure */
  }
  if (typeof e === 'number') return `native codec exception${extra ? `: ${extra}` : ` (code ${e})`}`;
  if (e instanceof Error) return e.message + (extra ? ` (${extra})` : '');
  return String(e) + (extra ? ` (${extra})` : '');
}

async function decodeWithEmscripten(
  kind: 'jpeg' | 'jls' | 'j2k' | 'htj2k',
  data: Uint8Array,
  file?: string,
): Promise<DecodedFrame> {
  const mod = await loaders[kind]();
  const Ctor = mod.JPEGDecoder ?? mod.JpegLSDecoder ?? mod.J2KDecoder ?? mod.HTJ2KDecoder;
  if (!Ctor) throw new MedcolorError('ERR_DICOM_CODEC', `codec module '${kind}' has no decoder class`, { file });
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
    let colorConverted = false;
    if (info.componentCount === 3) {
      if (kind === 'jpeg') colorConverted = true; // libjpeg outputs RGB (it follows JFIF/Adobe markers)
      if (kind === 'j2k' || kind === 'htj2k') colorConverted = true; // MCT is undone inside the codec
      if (kind === 'jls' && (decoder.getInterleaveMode?.() ?? 2) === 0) {
        samples = planarToInterleaved(samples, info.width * info.height, 3);
      }
    }
    return {
      width: info.width,
      height: info.height,
      components: info.componentCount,
      samples,
      bitsPerSample: info.bitsPerSample,
      signed: !!info.isSigned,
      colorConverted,
    };
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `${kind} decoder failed: ${describeCodecError(e, decoder)}`, {
      file,
      cause: e,
    });
  } finally {
    decoder.delete();
  }
}

/** Rearranges planar samples (RRR..GGG..BBB..) into interleaved (RGBRGB..). */
export function planarToInterleaved<T extends DecodedFrame['samples'] | Float64Array | Float32Array>(src: T, pixels: number, components: number): T {
  const out = new (src.constructor as { new (n: number): T })(pixels * components);
  for (let c = 0; c < components; c++) {
    const base = c * pixels;
    for (let i = 0; i < pixels; i++) out[i * components + c] = src[base + i];
  }
  return out;
}

/** Reads the precision (P) of the first SOF marker of a JPEG stream, or 0 if none is found. */
export function readJpegPrecision(data: Uint8Array): number {
  let i = 2;
  while (i + 4 < data.length) {
    if (data[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = data[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return data[i + 4];
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    const len = (data[i + 2] << 8) | data[i + 3];
    i += 2 + len;
  }
  return 0;
}

/**
 * libjpeg decides between YCbCr and RGB from the JFIF/Adobe markers, else from component IDs
 * (1,2,3 means YCbCr). DICOM RGB streams without either marker and with other IDs (e.g. 0,1,2,
 * as Aperio writes) hold RGB: relabel their components 'R','G','B' so libjpeg keeps them as is.
 * Streams with IDs 1,2,3 keep libjpeg's YCbCr reading (GDCM writes subsampled YCbCr that way).
 * Returns `data` itself when nothing needs changing, else a patched copy.
 */
export function markJpegAsRgb(data: Uint8Array): Uint8Array {
  let i = 2;
  let sof = -1;
  const sos: number[] = [];
  while (i + 4 <= data.length) {
    if (data[i] !== 0xff) return data;
    const marker = data[i + 1];
    if (marker === 0xff) {
      i++;
      continue;
    }
    const len = (data[i + 2] << 8) | data[i + 3];
    // A JFIF marker, or a complete Adobe marker (libjpeg ignores one shorter than 12 data bytes), decides.
    if ((marker === 0xe0 && data[i + 4] === 0x4a) || (marker === 0xee && len >= 14)) return data;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) sof = i;
    if (marker === 0xda) {
      sos.push(i);
      break; // entropy-coded data follows; the first scan is enough to decide
    }
    i += 2 + len;
  }
  if (sof < 0 || sos.length === 0 || data[sof + 9] !== 3) return data;
  const ids = [data[sof + 10], data[sof + 13], data[sof + 16]];
  if (ids[0] === 1 && ids[1] === 2 && ids[2] === 3) return data;
  if (ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42) return data;
  const out = data.slice();
  const rgb = [0x52, 0x47, 0x42];
  for (let c = 0; c < 3; c++) out[sof + 10 + 3 * c] = rgb[c];
  // Every scan refers to components by ID: relabel them in all SOS headers.
  const relabelScans = (start: number) => {
    let j = start;
    while (j + 4 <= out.length) {
      if (out[j] === 0xff && out[j + 1] === 0xda) {
        const n = out[j + 4];
        for (let k = 0; k < n; k++) {
          const at = j + 5 + 2 * k;
          const idx = ids.indexOf(out[at]);
          if (idx >= 0) out[at] = rgb[idx];
        }
        j += 2 + ((out[j + 2] << 8) | out[j + 3]);
      } else j++;
    }
  };
  relabelScans(sos[0]);
  return out;
}

let dcmjsCodecs: Promise<typeof import('dcmjs-codecs')> | undefined;

/**
 * 12-bit JPEG (Extended, process 4): libjpeg-turbo's 8-bit build cannot decode it, so these
 * streams go to dcmjs-codecs, a WebAssembly build of DCMTK's IJG 8/12/16-bit libraries.
 */
async function decodeJpeg12(data: Uint8Array, spec: FrameSpec, precision: number, file?: string): Promise<DecodedFrame> {
  dcmjsCodecs ??= import('dcmjs-codecs').then(async (m) => {
    const mod = ((m as unknown as { default?: typeof m }).default ?? m) as typeof m;
    await mod.NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
    return mod;
  });
  const { NativeCodecs, Context } = await dcmjsCodecs;
  let decoded: Uint8Array | undefined;
  try {
    const ctx = new Context({
      width: spec.columns,
      height: spec.rows,
      bitsAllocated: 16,
      bitsStored: precision,
      samplesPerPixel: spec.samplesPerPixel,
      pixelRepresentation: 0,
      planarConfiguration: 0,
      photometricInterpretation: spec.samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2',
      encodedBuffer: data,
    });
    decoded = NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: spec.samplesPerPixel === 3 }).getDecodedBuffer();
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `12-bit JPEG decoder failed: ${describeCodecError(e)}`, { file, cause: e });
  }
  const n = spec.rows * spec.columns * spec.samplesPerPixel;
  if (!decoded || decoded.length < 2 * n) {
    throw new MedcolorError('ERR_DICOM_DECODE', `12-bit JPEG decoded to ${decoded?.length ?? 0} bytes; expected ${2 * n}`, { file });
  }
  const samples = new Uint16Array(decoded.slice(0, 2 * n).buffer);
  return {
    width: spec.columns,
    height: spec.rows,
    components: spec.samplesPerPixel,
    samples,
    bitsPerSample: precision,
    signed: false,
    colorConverted: spec.samplesPerPixel === 3,
  };
}

async function decodeJpegLossless(data: Uint8Array, spec: FrameSpec, file?: string): Promise<DecodedFrame> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const bytesPerSample = spec.bitsAllocated <= 8 ? 1 : 2;
  let out: ArrayLike<number> & { buffer: ArrayBufferLike };
  try {
    const copy = data.slice(); // the decoder takes an ArrayBuffer and reads from offset 0
    out = new Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample) as unknown as typeof out;
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `JPEG lossless decoder failed: ${describeCodecError(e)}`, {
      file,
      cause: e,
    });
  }
  const n = spec.rows * spec.columns * spec.samplesPerPixel;
  const samples = bytesPerSample === 1 ? new Uint8Array(n) : new Uint16Array(n);
  if (out.length < n) {
    throw new MedcolorError('ERR_DICOM_DECODE', `JPEG lossless stream decoded to ${out.length} samples, expected ${n}`, {
      file,
    });
  }
  for (let i = 0; i < n; i++) samples[i] = out[i];
  return {
    width: spec.columns,
    height: spec.rows,
    components: spec.samplesPerPixel,
    samples,
    bitsPerSample: readJpegPrecision(data) || spec.bitsAllocated,
    signed: false,
    colorConverted: false,
  };
}

/**
 * Inflates one frame of Deflated Image Frame Compression (1.2.840.10008.1.2.8.1): the result is
 * the frame's bytes in native (Explicit VR Little Endian) layout.
 */
export async function inflateFrame(data: Uint8Array, file?: string): Promise<Uint8Array> {
  const pako = await import('pako');
  try {
    return pako.inflateRaw(data);
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_DECODE', `deflated frame could not be inflated: ${describeCodecError(e)}`, {
      file,
      cause: e,
    });
  }
}

/**
 * Decodes one frame of an image codec (JPEG family, JPEG-LS, JPEG 2000, HTJ2K). RLE and deflated
 * frames decode to native bytes instead (see `decodeRleFrame`, `inflateFrame`).
 *
 * @example
 * const f = await decodeCompressedFrame('jpeg-ls', fragmentBytes, spec);
 */
export async function decodeCompressedFrame(
  encoding: PixelEncoding,
  data: Uint8Array,
  spec: FrameSpec,
  file?: string,
): Promise<DecodedFrame> {
  switch (encoding) {
    case 'jpeg-baseline':
    case 'jpeg-extended': {
      const precision = readJpegPrecision(data);
      if (precision > 8) return decodeJpeg12(data, spec, precision, file);
      const stream = spec.photometric === 'RGB' && spec.samplesPerPixel === 3 ? markJpegAsRgb(data) : data;
      return decodeWithEmscripten('jpeg', stream, file);
    }
    case 'jpeg-lossless':
      return decodeJpegLossless(data, spec, file);
    case 'jpeg-ls':
      return decodeWithEmscripten('jls', data, file);
    case 'jpeg-2000':
      return decodeWithEmscripten('j2k', data, file);
    case 'htj2k':
      return decodeWithEmscripten('htj2k', data, file);
    default:
      throw new MedcolorError('ERR_DICOM_TRANSFER_SYNTAX', `no decoder for pixel encoding '${encoding}'`, { file });
  }
}
