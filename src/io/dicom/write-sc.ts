/**
 * DICOM output files: the encoders of encode-sc.ts written atomically. Node only.
 */
import type { GrayImage, GrayMeta, RgbImage } from '../../image/types.js';
import { writeFileAtomic } from '../atomic.js';
import { encodeDicomGray, encodeDicomSecondaryCapture, type DicomGrayOptions, type SecondaryCaptureOptions } from './encode-sc.js';

export { createUid, type DicomGrayOptions, type SecondaryCaptureOptions } from './encode-sc.js';

/**
 * Writes colorized frames as a DICOM Secondary Capture (see `encodeDicomSecondaryCapture`), atomically.
 *
 * @example
 * const [ct] = await readDicom('ct.dcm');
 * await writeDicomSecondaryCapture('ct-color.dcm', [rgb], ct.meta, { method: 'model', model: 'unet-ct v1' });
 */
export async function writeDicomSecondaryCapture(
  file: string,
  frames: RgbImage[],
  source: GrayMeta | undefined,
  options: SecondaryCaptureOptions,
): Promise<{ sopInstanceUid: string; seriesInstanceUid: string }> {
  const { bytes, sopInstanceUid, seriesInstanceUid } = encodeDicomSecondaryCapture(frames, source, options, file);
  await writeFileAtomic(file, bytes);
  return { sopInstanceUid, seriesInstanceUid };
}

/**
 * Writes a gray image as a 16-bit signed MONOCHROME2 DICOM (see `encodeDicomGray`), atomically.
 *
 * @example
 * await writeDicomGray('examples/ct-phantom.dcm', phantom, { modality: 'CT', attributes: { PatientName: 'PHANTOM^CT' } });
 */
export async function writeDicomGray(file: string, img: GrayImage, options: DicomGrayOptions = {}): Promise<{ sopInstanceUid: string }> {
  const { bytes, sopInstanceUid } = encodeDicomGray(img, options, file);
  await writeFileAtomic(file, bytes);
  return { sopInstanceUid };
}
