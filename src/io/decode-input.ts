/**
 * The one reader of gray input, from bytes: DICOM (with or without preamble or extension),
 * NIfTI (.nii, gzipped under any name, .hdr with its .img) or a raster image, recognized by
 * content first and by name only as a last resort. Browser-safe: raster images are decoded by
 * an injected decoder (sharp in Node through read-any.ts, the browser's own in the web app).
 */
import { Inflate, Z_SYNC_FLUSH } from 'pako';
import { MedcolorError } from '../errors.js';
import type { GrayImage, Volume } from '../image/types.js';
import { decodeDicom } from './dicom/decode.js';
import { decodeNifti, isGzip, isNiftiHeader, gunzipIfNeeded, type NiftiAxis } from './nifti.js';
import type { RasterDecoder } from './raster-image.js';

/** Input formats medcolor reads. */
export type InputFormat = 'dicom' | 'nifti' | 'raster';

/** Options of `decodeGrayInput` and `readGrayInput`. */
export interface GrayInputOptions {
  /** DICOM frame or NIfTI slice (0-based), or 'all' (default). A raster image has one frame, always read. */
  frame?: number | 'all';
  /** NIfTI: slice axis (default 'axial'). */
  axis?: NiftiAxis;
  /** NIfTI: 4-D volume index (default 0). */
  volume?: number;
  /** Raster: largest image accepted in pixels (default DEFAULT_MAX_PIXELS, 16383 x 16383). */
  maxPixels?: number;
  /** Receives each notice as it arises (they are also returned in `notices`). */
  onNotice?: (message: string) => void;
}

/** Options of `decodeGrayInput`. */
export interface DecodeInputOptions extends GrayInputOptions {
  /** The input's name, for messages, meta.source and as the last hint of its format. */
  name?: string;
  /** The .img bytes when `bytes` is the .hdr of a NIfTI pair. */
  companion?: Uint8Array;
  /** Decodes PNG/JPEG/TIFF/WebP bytes. Required for raster input (Node: `decodeRaster` of io/raster.ts). */
  decodeRaster?: RasterDecoder;
}

/** One decoded input: its gray frames and what is needed to write results back in its format. */
export interface GrayInput {
  format: InputFormat;
  /** The name it was read under ('' when none was given). */
  source: string;
  /** DICOM frames, NIfTI slices, or the one raster image. */
  frames: GrayImage[];
  /** The NIfTI volume (geometry for NIfTI RGB24 output), for NIfTI input. */
  volume?: Volume;
  /** Whether every frame/slice was read (false after a `frame` selection). */
  complete: boolean;
  /** Whether the bytes were gzip-compressed (NIfTI .nii.gz). */
  gzipped: boolean;
  /** Notices about how the input was read (color turned gray, complex magnitude, ...), each once. */
  notices: string[];
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);

function isRaster(head: Uint8Array): boolean {
  return (
    startsWith(head, [0x89, 0x50, 0x4e, 0x47]) || // PNG
    startsWith(head, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || // TIFF LE
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) || // TIFF BE
    (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) || // WebP
    startsWith(head, [0x47, 0x49, 0x46, 0x38]) || // GIF
    (head.length >= 12 && String.fromCharCode(...head.subarray(4, 8)) === 'ftyp') // AVIF/HEIF
  );
}

/** Groups a bare DICOM dataset (no preamble) starts with: file meta, identification, patient, ... image. */
const FIRST_GROUPS = new Set([0x0002, 0x0008, 0x0010, 0x0018, 0x0020, 0x0028]);

/**
 * Whether bytes look like a DICOM dataset without the 128-byte preamble: a first tag of a
 * leading group, followed by an explicit VR (two capital letters) or a plausible implicit length.
 */
function isBareDicom(head: Uint8Array, total: number): boolean {
  if (head.length < 8) return false;
  const group = head[0] | (head[1] << 8), element = head[2] | (head[3] << 8);
  if (!FIRST_GROUPS.has(group) || element > 0x1000) return false;
  const vr = head[4] >= 0x41 && head[4] <= 0x5a && head[5] >= 0x41 && head[5] <= 0x5a;
  const length = (head[4] | (head[5] << 8) | (head[6] << 16)) + head[7] * 2 ** 24;
  return vr || length <= total - 8;
}

/** The first bytes of gzip data, inflated (a truncated stream is fine: only the head is needed). */
function gunzipHead(bytes: Uint8Array, n: number): Uint8Array | undefined {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    const inflate = new Inflate();
    inflate.onData = (c: Uint8Array) => {
      chunks.push(c);
      size += c.length;
    };
    for (let at = 0; at < bytes.length && size < n && !inflate.ended && inflate.err === 0; at += 1 << 16) {
      inflate.push(bytes.subarray(at, at + (1 << 16)), Z_SYNC_FLUSH);
    }
  } catch {
    return undefined;
  }
  const out = new Uint8Array(Math.min(n, size));
  let o = 0;
  for (const c of chunks) {
    if (o >= out.length) break;
    out.set(c.subarray(0, out.length - o), o);
    o += c.length;
  }
  return out;
}

/**
 * Tells the format of an input from its first bytes (1 KiB is enough; more for gzip) and, as a
 * last resort, its name. Undefined when neither says.
 *
 * @example
 * detectFormat(bytes.subarray(0, 1024), 'scan.bin'); // 'dicom' when it has the DICM preamble
 */
export function detectFormat(head: Uint8Array, name = '', totalLength = head.length): InputFormat | undefined {
  const lower = name.toLowerCase();
  if (startsWith(head, [0x44, 0x49, 0x43, 0x4d], 128)) return 'dicom';
  if (isNiftiHeader(head)) return 'nifti';
  if (isGzip(head)) {
    const inner = gunzipHead(head, 1024);
    if (inner && isNiftiHeader(inner)) return 'nifti';
    if (!inner && /\.(nii|hdr|img)\.gz$/.test(lower)) return 'nifti';
    return undefined;
  }
  if (isRaster(head)) return 'raster';
  if (isBareDicom(head, totalLength)) return 'dicom';
  if (/\.(dcm|dicom|dic|ima)$/.test(lower)) return 'dicom';
  return undefined;
}

const SUPPORTED = 'supported: DICOM (with or without preamble), NIfTI-1/2 (.nii, gzipped under any name, .hdr/.img pair), PNG, JPEG, TIFF, WebP, GIF, AVIF';
/** The message of ERR_UNSUPPORTED_FORMAT for bytes no reader recognizes. */
export const UNRECOGNIZED_INPUT = `the file is not a recognized image; ${SUPPORTED}`;

/**
 * Decodes one input from its bytes into gray images of physical values: every DICOM frame (or
 * one), every NIfTI slice along an axis (or one), or the single raster image (color turned into
 * gray of the same L*).
 *
 * @example
 * const input = await decodeGrayInput(bytes, { name: 'upload.dcm' });
 * input.frames.length; input.notices;
 */
export async function decodeGrayInput(bytes: Uint8Array, options: DecodeInputOptions = {}): Promise<GrayInput> {
  const source = options.name ?? '';
  const file = source || undefined;
  const frame = options.frame ?? 'all';
  if (frame !== 'all' && !(Number.isInteger(frame) && frame >= 0)) {
    throw new MedcolorError('ERR_USAGE', `frame must be 'all' or an integer >= 0; found ${String(frame)}`, { file });
  }
  const gzipped = isGzip(bytes);
  // Decompress once: the format check and the NIfTI decoder both use the inflated bytes.
  const plain = gzipped ? await gunzipIfNeeded(bytes, file) : bytes;
  const format = gzipped ? (isNiftiHeader(plain) ? 'nifti' : undefined) : detectFormat(plain.subarray(0, 1024), source, plain.length);
  if (!format) {
    throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', gzipped ? `gzip data whose content is not a NIfTI header; ${SUPPORTED}` : UNRECOGNIZED_INPUT, { file });
  }
  let frames: GrayImage[];
  let volume: Volume | undefined;
  let complete = frame === 'all';
  if (format === 'dicom') {
    frames = await decodeDicom(plain, { frame, source: file });
  } else if (format === 'nifti') {
    volume = await decodeNifti(plain, { axis: options.axis, volume: options.volume, source: file, image: options.companion });
    frames = volume.slices;
    if (frame !== 'all') {
      if (frame >= frames.length) {
        throw new MedcolorError('ERR_NIFTI_SLICE', `slice ${frame} does not exist; valid: 0..${frames.length - 1}`, { file });
      }
      frames = [frames[frame]];
    }
  } else {
    if (!options.decodeRaster) {
      throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', 'a raster image (PNG, JPEG, ...) needs a raster decoder here; pass options.decodeRaster', { file });
    }
    frames = [(await options.decodeRaster(bytes, { source: file, maxPixels: options.maxPixels })).gray];
    complete = true;
  }
  const notices: string[] = [];
  for (const f of frames) {
    for (const m of (f.meta.extra?.notices as string[] | undefined) ?? []) {
      if (!notices.includes(m)) {
        notices.push(m);
        options.onNotice?.(m);
      }
    }
  }
  return { format, source, frames, volume, complete, gzipped, notices };
}
