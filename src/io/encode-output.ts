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
import { encodeGrayPng } from './gray-png.js';
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
  /** DICOM confidence output: the UIDs of its own derived series; default new random ones. */
  confidenceSopInstanceUid?: string;
  confidenceSeriesInstanceUid?: string;
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

/** A per-pixel confidence map (0..1, 1 = sure), planar, at the output's size. */
export interface ConfidenceMap {
  width: number;
  height: number;
  data: Float32Array;
}

/** What follows a confidence map's base name: '.confidence.png', '_0003.confidence.png', '.confidence.dcm'. */
export const CONFIDENCE_INFIX = '.confidence';

/**
 * Confidence 0..1 to 8-bit gray: 255 = sure, 0 = a guess (rounded, clamped).
 *
 * @example
 * confidenceToGray8(new Float32Array([0, 0.5, 1])); // [0, 128, 255]
 */
export function confidenceToGray8(c: Float32Array): Uint8Array {
  const out = new Uint8Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, c[i])) * 255);
  return out;
}

/**
 * Encodes the confidence maps of one input's frames beside its outputs: for `dcm`, one
 * grayscale DICOM Secondary Capture (8-bit MONOCHROME2, a frame per input frame) in a derived
 * series of its own (its own SeriesInstanceUID, SourceImageSequence referencing the source);
 * for `png` and `nii`, one 8-bit gray PNG per frame (`NAME.confidence.png`,
 * `NAME_0003.confidence.png`, ...).
 *
 * @example
 * const outs = encodeConfidenceOutputs(maps, input, { format: 'dcm', provenance: { method: 'model', model: 'blood' } });
 */
export function encodeConfidenceOutputs(maps: ConfidenceMap[], input: GrayInput, options: Omit<EncodeOutputOptions, 'encodePng'>): EncodedOutput[] {
  const file = input.source || undefined;
  const frames = maps.map((m) => ({ width: m.width, height: m.height, data: confidenceToGray8(m.data) }));
  if (options.format === 'dcm') {
    const { method, model, confidenceSopInstanceUid, confidenceSeriesInstanceUid } = options.provenance;
    const meta = input.frames[0]?.meta;
    const sourceDescription = (meta?.extra?.dicom as Record<string, unknown> | undefined)?.SeriesDescription;
    const sourceSeries = Number((meta?.extra?.dicom as Record<string, unknown> | undefined)?.SeriesNumber);
    const { bytes } = encodeDicomSecondaryCapture(frames, meta, {
      method,
      ...(model ? { model } : {}),
      monochrome: true,
      sopInstanceUid: confidenceSopInstanceUid,
      seriesInstanceUid: confidenceSeriesInstanceUid,
      seriesNumber: Number.isFinite(sourceSeries) ? 2000 + sourceSeries : 2000,
      seriesDescription: `${typeof sourceDescription === 'string' && sourceDescription ? `${sourceDescription} ` : ''}confidence (${method})`,
      derivation: `Per-pixel confidence of the colorization by medcolor with method '${method}'${model ? `, model '${model}'` : ''}: ` +
        '255 = sure, 0 = a guess (docs/trust.md)',
    }, file);
    return [{ suffix: `${CONFIDENCE_INFIX}.dcm`, bytes, contentType: 'application/dicom' }];
  }
  const first = options.first ?? 0;
  return frames.map((f, k) => ({
    suffix: pngFrameSuffix(first + k, input.frames.length).replace(/\.png$/, `${CONFIDENCE_INFIX}.png`),
    bytes: encodeGrayPng(f),
    contentType: 'image/png',
  }));
}
