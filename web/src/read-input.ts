/**
 * Bytes of a dropped file -> the library's decoded input (gray frames of physical values, the
 * NIfTI volume) and, for a color input, its original colors for evaluation mode. Recognition and
 * decoding are the library's (`decodeGrayInput`); the browser brings only its raster decoder.
 */
import {
  decodeDicomInfo,
  decodeDicomRgb,
  decodeGrayInput,
  MedcolorError,
  type GrayImage,
  type GrayInput,
  type RasterImage,
  type RgbImage,
} from '../../src/browser.js';
import { decodeRasterInBrowser, decodeRgbInBrowser } from './raster-decoder.js';

/** A decoded input held by the worker. */
export interface OpenedInput {
  name: string;
  format: GrayInput['format'];
  /** One gray image per frame or slice (physical values + display metadata). */
  frames: GrayImage[];
  /** The library's decoded input (for writing outputs in its format). */
  input: GrayInput;
  /** Original colors per frame, when the input is a color image. */
  truth?: RgbImage[];
  transferSyntax?: string;
  notices: string[];
}

/** Reads a dropped file (NIfTI .hdr/.img pairs: pass the .img as `companion`). */
export async function readInput(name: string, bytes: Uint8Array, companion?: Uint8Array): Promise<OpenedInput> {
  let raster: RasterImage | undefined;
  const input = await decodeGrayInput(bytes, {
    name,
    companion,
    decodeRaster: async (b, o) => (raster = await decodeRasterInBrowser(b, o)),
  });
  let truth: RgbImage[] | undefined;
  let transferSyntax: string | undefined;
  if (input.format === 'dicom') {
    const info = await decodeDicomInfo(bytes, { source: name });
    transferSyntax = info.transferSyntaxName;
    if (info.samplesPerPixel === 3 || info.photometric === 'PALETTE COLOR') truth = await decodeDicomRgb(bytes, { source: name });
  } else if (raster?.kind === 'rgb') {
    truth = [raster.rgb];
  }
  return { name, format: input.format, frames: input.frames, input, truth, transferSyntax, notices: input.notices };
}

/** Reads a color reference image (for transfer, welsh, kmeans): PNG/JPEG, or a color DICOM. */
export async function readReference(name: string, bytes: Uint8Array): Promise<RgbImage> {
  const isDicom = bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';
  if (isDicom) {
    const [rgb] = await decodeDicomRgb(bytes, { source: name, frame: 0 });
    return rgb;
  }
  try {
    return await decodeRgbInBrowser(bytes, name);
  } catch (e) {
    if (e instanceof MedcolorError) throw e;
    throw new MedcolorError('ERR_BAD_REFERENCE', `the reference could not be read (${(e as Error).message}); expected a color PNG/JPEG or DICOM`, { file: name });
  }
}
