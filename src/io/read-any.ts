/**
 * The one reader of gray input files, used by every command: DICOM, NIfTI or raster recognized
 * by content (see decode-input.ts, which does the work from bytes), a NIfTI .hdr/.img pair read
 * from either name, raster images decoded with sharp. Node only.
 */
import { open } from 'node:fs/promises';
import { MedcolorError } from '../errors.js';
import { decodeGrayInput, detectFormat, UNRECOGNIZED_INPUT, type GrayInput, type GrayInputOptions, type InputFormat } from './decode-input.js';
import { gunzipIfNeeded, isNiftiHeader, niftiMagic } from './nifti.js';
import { niftiPairOf } from './nifti-file.js';
import { decodeRaster } from './raster.js';
import { readFileBytes, toFileReadError } from './read-file.js';

export type { GrayInput, GrayInputOptions, InputFormat } from './decode-input.js';

async function readHead(file: string, n: number): Promise<{ head: Uint8Array; size: number }> {
  let fh;
  try {
    fh = await open(file, 'r');
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    const buf = new Uint8Array(Math.min(n, st.size));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { head: buf.subarray(0, bytesRead), size: st.size };
  } catch (e) {
    throw toFileReadError(file, e);
  } finally {
    await fh?.close();
  }
}

/** The two files when `file` is a member of a NIfTI pair (.hdr/.img) whose header says so (magic ni1/ni2). */
async function pairOf(file: string): Promise<{ header: string; image: string } | undefined> {
  const pair = niftiPairOf(file);
  if (!pair) return undefined;
  const { head } = await readHead(pair.header, 1 << 16).catch(() => ({ head: new Uint8Array(0) }));
  let header: Uint8Array;
  try {
    header = await gunzipIfNeeded(head);
  } catch {
    return undefined;
  }
  return isNiftiHeader(header) && /^ni[12]$/.test(niftiMagic(header)) ? pair : undefined;
}

/**
 * Tells the format of a file from its first bytes (and its name as a last resort); an .img
 * whose .hdr is a NIfTI header is NIfTI.
 *
 * @example
 * await detectInputFormat('scan.nii.gz'); // 'nifti'
 */
export async function detectInputFormat(file: string): Promise<InputFormat> {
  const { head, size } = await readHead(file, 1 << 16);
  const format = detectFormat(head, file, size) ?? ((await pairOf(file)) ? 'nifti' : undefined);
  if (!format) {
    throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', UNRECOGNIZED_INPUT, { file });
  }
  return format;
}

/**
 * Reads any supported input file as gray images of physical values: every DICOM frame (or
 * one), every NIfTI slice along an axis (or one), or the single raster image (color turned into
 * gray of the same L*), with what is needed to write results back in the input's format.
 *
 * @example
 * const { frames } = await readGrayInput('study/ct.dcm');
 * const brain = await readGrayInput('brain.hdr', { axis: 'coronal' }); // reads brain.img too
 */
export async function readGrayInput(file: string, options: GrayInputOptions = {}): Promise<GrayInput> {
  const pair = await pairOf(file);
  const bytes = await readFileBytes(pair ? pair.header : file);
  const companion = pair ? await readFileBytes(pair.image) : undefined;
  return decodeGrayInput(bytes, { ...options, name: file, companion, decodeRaster });
}
