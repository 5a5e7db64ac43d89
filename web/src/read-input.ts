/**
 * Bytes of a dropped file -> the library's gray images (and the original colors of a color
 * input, for evaluation mode). Recognition and decoding are the library's; this file only picks
 * the library reader for the bytes it is given.
 */
import { decodeDicom, decodeDicomInfo, decodeDicomRgb, MedcolorError, type GrayImage, type RgbImage } from '../../src/browser.js';
import { hasDicomPreamble } from '../../src/io/dicom/dataset.js';

/** A decoded input held by the worker. */
export interface OpenedInput {
  name: string;
  format: 'dicom' | 'nifti' | 'raster';
  /** One gray image per frame or slice (physical values + display metadata). */
  frames: GrayImage[];
  /** Original colors per frame, when the input is a color image. */
  truth?: RgbImage[];
  transferSyntax?: string;
  notices: string[];
  /** The DICOM bytes or NIfTI volume the frames came from (for writing derived objects). */
  source?: unknown;
}

/** Reads a dropped file. */
export async function readInput(name: string, bytes: Uint8Array, _companion?: Uint8Array): Promise<OpenedInput> {
  const notices: string[] = [];
  if (hasDicomPreamble(bytes) || /\.(dcm|dicom|dic)$/i.test(name)) {
    const info = await decodeDicomInfo(bytes, { source: name });
    const frames = await decodeDicom(bytes, { source: name, onNotice: (m) => notices.push(m) });
    const color = info.samplesPerPixel === 3 || info.photometric === 'PALETTE COLOR';
    const truth = color ? await decodeDicomRgb(bytes, { source: name }) : undefined;
    return { name, format: 'dicom', frames, truth, transferSyntax: info.transferSyntaxName, notices };
  }
  throw new MedcolorError(
    'ERR_UNSUPPORTED_FORMAT',
    'the file is not a recognized image; supported: DICOM (.dcm or DICM preamble), NIfTI (.nii, .nii.gz), PNG, JPEG',
    { file: name },
  );
}

/** Reads a color reference image (for transfer, welsh, kmeans). */
export async function readReference(name: string, _bytes: Uint8Array): Promise<RgbImage> {
  throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', 'reference images are not supported yet', { file: name });
}
