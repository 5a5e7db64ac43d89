/**
 * One entry point for gray input: DICOM, NIfTI or raster, recognized by content first (DICM
 * preamble, NIfTI magic, image signatures), then by extension. Node only.
 */
import { open } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { MedcolorError } from '../errors.js';
import type { GrayImage } from '../image/types.js';
import { readDicom } from './dicom/read.js';
import { readNifti, type NiftiAxis } from './nifti.js';
import { readRaster } from './raster.js';

/** Input formats `readGrayInput` recognizes. */
export type InputFormat = 'dicom' | 'nifti' | 'raster';

/** Options of `readGrayInput`. */
export interface GrayInputOptions {
  /** DICOM: frame index or 'all' (default 'all'). */
  frame?: number | 'all';
  /** NIfTI: slice axis (default 'axial'). */
  axis?: NiftiAxis;
  /** NIfTI: 4-D volume index (default 0). */
  volume?: number;
  /** NIfTI: only this slice index (default: every slice). */
  slice?: number;
  /** Receives notices (color converted to gray, ...). */
  onNotice?: (message: string) => void;
}

async function readHead(file: string, n: number): Promise<Uint8Array> {
  let fh;
  try {
    fh = await open(file, 'r');
    const buf = new Uint8Array(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EISDIR') throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', 'is a directory, not an image file', { file, cause: e });
    throw new MedcolorError(err.code === 'ENOENT' ? 'ERR_FILE_NOT_FOUND' : 'ERR_READ', `cannot read the file (${err.code ?? err.message})`, {
      file,
      cause: e,
    });
  } finally {
    await fh?.close();
  }
}

const startsWith = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);

function isNiftiHeader(b: Uint8Array): boolean {
  if (b.length >= 348) {
    const magic1 = String.fromCharCode(b[344], b[345], b[346]);
    if ((magic1 === 'n+1' || magic1 === 'ni1') && b[347] === 0) return true;
  }
  if (b.length >= 8) {
    const magic2 = String.fromCharCode(b[4], b[5], b[6]);
    if (magic2 === 'n+2' || magic2 === 'ni2') return true;
  }
  return false;
}

/**
 * Tells the format of a file from its first bytes (and its name as a tie-breaker).
 *
 * @example
 * await detectInputFormat('scan.nii.gz'); // 'nifti'
 */
export async function detectInputFormat(file: string): Promise<InputFormat> {
  const head = await readHead(file, 1024);
  const lower = file.toLowerCase();
  if (head.length >= 132 && startsWith(head, [0x44, 0x49, 0x43, 0x4d], 128)) return 'dicom';
  if (isNiftiHeader(head)) return 'nifti';
  if (startsWith(head, [0x1f, 0x8b])) {
    if (/\.(nii|hdr|img)\.gz$/.test(lower)) return 'nifti';
    // Peek inside: a gzipped NIfTI starts with its header.
    const whole = await readHead(file, 1 << 16);
    try {
      const inner = gunzipSync(whole, { finishFlush: 2 /* Z_SYNC_FLUSH: accept a truncated stream */ });
      if (isNiftiHeader(new Uint8Array(inner.buffer, inner.byteOffset, Math.min(inner.length, 1024)))) return 'nifti';
    } catch {
      /* not gzip after all, or unreadable: fall through */
    }
  }
  const raster =
    startsWith(head, [0x89, 0x50, 0x4e, 0x47]) || // PNG
    startsWith(head, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || // TIFF LE
    startsWith(head, [0x4d, 0x4d, 0x00, 0x2a]) || // TIFF BE
    (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) || // WebP
    startsWith(head, [0x47, 0x49, 0x46, 0x38]) || // GIF
    (head.length >= 12 && String.fromCharCode(...head.subarray(4, 8)) === 'ftyp'); // AVIF/HEIF
  if (raster) return 'raster';
  if (/\.(dcm|dicom|dic)$/.test(lower)) return 'dicom'; // DICOM without preamble
  if (/\.(hdr|img)$/.test(lower)) return 'nifti';
  throw new MedcolorError(
    'ERR_UNSUPPORTED_FORMAT',
    'the file is not a recognized image; supported: DICOM (.dcm or DICM preamble), NIfTI (.nii, .nii.gz, .hdr/.img), PNG, JPEG, TIFF, WebP, GIF, AVIF',
    { file },
  );
}

/**
 * Reads any supported input as gray images of physical values: every DICOM frame (or one),
 * every NIfTI slice along an axis (or one), or the single raster image (color turned into gray
 * of the same L*).
 *
 * @example
 * const images = await readGrayInput('study/ct.dcm');
 * const slices = await readGrayInput('brain.nii.gz', { axis: 'coronal' });
 */
export async function readGrayInput(file: string, options: GrayInputOptions = {}): Promise<GrayImage[]> {
  const format = await detectInputFormat(file);
  if (format === 'dicom') return readDicom(file, { frame: options.frame, onNotice: options.onNotice });
  if (format === 'nifti') {
    const vol = await readNifti(file, { axis: options.axis, volume: options.volume });
    if (options.slice === undefined) return vol.slices;
    if (!Number.isInteger(options.slice) || options.slice < 0 || options.slice >= vol.slices.length) {
      throw new MedcolorError('ERR_NIFTI_SLICE', `slice ${options.slice} does not exist; valid: 0..${vol.slices.length - 1}`, { file });
    }
    return [vol.slices[options.slice]];
  }
  const r = await readRaster(file);
  if (r.kind === 'rgb') options.onNotice?.(`${file}: color image converted to gray of the same CIELAB L*`);
  return [r.gray];
}
