/**
 * NIfTI files on disk: thin Node wrappers over the byte-level codec in nifti.ts (reading a
 * .hdr/.img pair from either name, atomic writing).
 */
import { writeFileAtomic } from './atomic.js';
import { readFileBytes } from './read-file.js';
import type { RgbImage, Volume } from '../image/types.js';
import { decodeNifti, decodeNiftiInfo, encodeNiftiRgb24, type NiftiInfo, type NiftiReadOptions } from './nifti.js';

/**
 * The two names of an .hdr/.img pair when `file` is one of them ('.hdr', '.img', '.hdr.gz',
 * '.img.gz'), else undefined.
 *
 * @example
 * niftiPairOf('brain.img'); // { header: 'brain.hdr', image: 'brain.img' }
 */
export function niftiPairOf(file: string): { header: string; image: string } | undefined {
  const m = /^(.*)\.(hdr|img)(\.gz)?$/i.exec(file);
  if (!m) return undefined;
  const [, base, ext, gz = ''] = m;
  // Keep the case of the given extension for its partner (BRAIN.HDR -> BRAIN.IMG).
  const upper = ext === ext.toUpperCase();
  const name = (e: string) => `${base}.${upper ? e.toUpperCase() : e}${gz}`;
  return { header: name('hdr'), image: name('img') };
}

/**
 * Reads a NIfTI file into a Volume of gray slices (physical values after scl_slope/scl_inter).
 * For .hdr/.img pairs pass either name. See `decodeNifti`.
 *
 * @example
 * const vol = await readNifti('brain.nii.gz', { axis: 'axial' });
 * vol.slices.length; // number of axial slices
 */
export async function readNifti(file: string, options: NiftiReadOptions = {}): Promise<Volume> {
  const pair = niftiPairOf(file);
  if (pair) {
    const [header, image] = [await readFileBytes(pair.header), await readFileBytes(pair.image)];
    return decodeNifti(header, { ...options, image, source: file });
  }
  return decodeNifti(await readFileBytes(file), { ...options, source: file });
}

/**
 * Writes RGB slices as a NIfTI-1 RGB24 volume (datatype 128) with the geometry of `like`
 * (a Volume from `readNifti`). Gzipped when the name ends in .gz. Atomic.
 *
 * @example
 * const vol = await readNifti('t1.nii.gz');
 * await writeNiftiRgb24('t1-color.nii.gz', coloredSlices, vol);
 */
export async function writeNiftiRgb24(file: string, slices: RgbImage[], like: Volume): Promise<void> {
  await writeFileAtomic(file, await encodeNiftiRgb24(slices, like, { gzip: /\.gz$/i.test(file), file }));
}

/**
 * Reads only the header of a NIfTI file (.nii, .nii.gz, .hdr; an .img name reads its .hdr).
 *
 * @example
 * const info = await readNiftiInfo('brain.nii.gz'); // info.dims, info.datatype
 */
export async function readNiftiInfo(file: string): Promise<NiftiInfo> {
  const pair = niftiPairOf(file);
  return decodeNiftiInfo(await readFileBytes(pair ? pair.header : file), { source: file });
}
