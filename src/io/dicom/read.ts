/**
 * DICOM files from disk: thin Node wrappers over the byte-level decoders in decode.ts.
 */
import type { GrayImage, RgbImage } from '../../image/types.js';
import { readFileBytes as readBytes } from '../read-file.js';
import { decodeDicom, decodeDicomRgb, type DicomReadOptions } from './decode.js';
import { decodeDicomInfo, type DicomInfo } from './info.js';

/**
 * Reads a DICOM file into gray images of physical values (Modality LUT applied; HU for CT),
 * one per frame (all frames by default), with windows, VOI LUT, spacing and identity in meta.
 *
 * @example
 * const [ct] = await readDicom('slice.dcm');
 * const frames = await readDicom('cine.dcm', { frame: 'all' });
 */
export async function readDicom(file: string, options: Omit<DicomReadOptions, 'source'> = {}): Promise<GrayImage[]> {
  return decodeDicom(await readBytes(file), { ...options, source: file });
}

/**
 * Reads a DICOM file as 8-bit sRGB frames: the colors of color images, the displayed gray of
 * gray ones (first window, MONOCHROME1 inverted). Used by evaluation.
 *
 * @example
 * const [rgb] = await readDicomRgb('us.dcm', { frame: 0 });
 */
export async function readDicomRgb(file: string, options: Omit<DicomReadOptions, 'source'> = {}): Promise<RgbImage[]> {
  return decodeDicomRgb(await readBytes(file), { ...options, source: file });
}

/**
 * Header-only information of a DICOM file (no pixel decoding).
 *
 * @example
 * const info = await readDicomInfo('slice.dcm'); // info.modality, info.windows, info.transferSyntaxName
 */
export async function readDicomInfo(file: string): Promise<DicomInfo> {
  return decodeDicomInfo(await readBytes(file), { source: file });
}
