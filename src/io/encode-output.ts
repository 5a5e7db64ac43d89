/**
 * Colorized frames of one input to output bytes: PNG (one per frame), DICOM Secondary Capture
 * (RGB, one per input, one frame per input frame) or NIfTI RGB24 (the input volume's geometry),
 * with the name suffix and content type of each. Browser-safe: PNG encoding is injected (sharp
 * in Node, the canvas in a browser); the file writer is write-output.ts.
 */
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import type { GrayInput } from './decode-input.js';
import { encodeDicomSecondaryCapture } from './dicom/encode-sc.js';
import { encodeNiftiRgb24 } from './nifti.js';

/** Output formats: PNG, DICOM Secondary Capture (`dcm`), NIfTI RGB24 (`nii`). */
export type OutputFormat = 'png' | 'dcm' | 'nii';

/** Every output format, in the order help texts list them. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'dcm', 'nii'];

/** One encoded output. */
export interface EncodedOutput {
  /** What follows the output's base name: '.png', '_0003.png', '.dcm', '.nii', '.nii.gz'. */
  suffix: string;
  bytes: Uint8Array;
  /** MIME type: image/png, application/dicom, application/octet-stream (NIfTI), application/gzip (.nii.gz). */
  contentType: string;
}

/** Who made the output (recorded in DICOM DerivationDescription). */
export interface OutputProvenance {
  method: string;
  model?: string | null;
  /** DICOM output: the UIDs to give it (deterministic derived UIDs, see io/dicom/derived-uid.ts); default new random ones. */
  sopInstanceUid?: string;
  seriesInstanceUid?: string;
}

/** Options of {@link encodeOutputs}. */
export interface EncodeOutputOptions {
  format: OutputFormat;
  provenance: OutputProvenance;
  /** PNG encoder (needed for `png`). */
  encodePng?: (img: RgbImage) => Promise<Uint8Array>;
  /** PNG only: index of the first of `frames` among the input's frames (default 0), for naming. */
  first?: number;
}

/**
 * Throws ERR_FORMAT_MISMATCH when `format` cannot be written for this input (NIfTI output needs
 * a whole NIfTI volume), before any colorization is spent on it.
 *
 * @example
 * checkOutputFormat('nii', input); // throws for a DICOM input
 */
export function checkOutputFormat(format: OutputFormat, input: GrayInput): void {
  const file = input.source || undefined;
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new MedcolorError('ERR_USAGE', `output format must be one of ${OUTPUT_FORMATS.join(', ')}; found "${String(format)}"`, { file });
  }
  if (format !== 'nii') return;
  if (input.format !== 'nifti' || !input.volume) {
    throw new MedcolorError('ERR_FORMAT_MISMATCH', `--format nii writes NIfTI RGB24 volumes from NIfTI inputs; this input is ${input.format} (use png or dcm)`, { file });
  }
  if (!input.complete) {
    throw new MedcolorError('ERR_FORMAT_MISMATCH', '--format nii needs every slice of the volume; drop --frame (or use --format png)', { file });
  }
}

/**
 * The name suffix of PNG frame `index` of an input with `total` frames: '.png' for a single
 * frame, else '_0000.png', '_0001.png', ... (at least 4 digits).
 *
 * @example
 * pngFrameSuffix(3, 96); // '_0003.png'
 */
export function pngFrameSuffix(index: number, total: number): string {
  if (total === 1) return '.png';
  return `_${String(index).padStart(Math.max(4, String(total - 1).length), '0')}.png`;
}

/**
 * Encodes the colorized frames of one input. PNG: one output per frame (`frames` may be a slice
 * of the input's frames starting at `first`); DICOM and NIfTI: one output holding every frame.
 *
 * @example
 * const outs = await encodeOutputs(rgbFrames, input, { format: 'dcm', provenance: { method: 'lut' } });
 */
export async function encodeOutputs(frames: RgbImage[], input: GrayInput, options: EncodeOutputOptions): Promise<EncodedOutput[]> {
  const file = input.source || undefined;
  checkOutputFormat(options.format, input);
  if (options.format === 'nii') {
    const gzip = input.gzipped;
    return [{
      suffix: gzip ? '.nii.gz' : '.nii',
      bytes: await encodeNiftiRgb24(frames, input.volume!, { gzip, file }),
      contentType: gzip ? 'application/gzip' : 'application/octet-stream',
    }];
  }
  if (options.format === 'dcm') {
    const { method, model, sopInstanceUid, seriesInstanceUid } = options.provenance;
    const { bytes } = encodeDicomSecondaryCapture(frames, input.frames[0]?.meta, { method, ...(model ? { model } : {}), sopInstanceUid, seriesInstanceUid }, file);
    return [{ suffix: '.dcm', bytes, contentType: 'application/dicom' }];
  }
  const encodePng = options.encodePng;
  if (!encodePng) throw new MedcolorError('ERR_USAGE', 'PNG output needs a PNG encoder (options.encodePng)', { file });
  const first = options.first ?? 0;
  const out: EncodedOutput[] = [];
  for (const [k, f] of frames.entries()) {
    out.push({ suffix: pngFrameSuffix(first + k, input.frames.length), bytes: await encodePng(f), contentType: 'image/png' });
  }
  return out;
}
