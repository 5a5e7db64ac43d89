/**
 * Colorizing one input: its decoded frames in batches through the pipeline, encoded as PNG,
 * DICOM Secondary Capture or NIfTI RGB24 (`colorizeInput`); or the whole trip from input bytes
 * to output bytes (`colorizeBytes`), which the HTTP server and the browser app call. Browser-safe:
 * raster decoding and PNG encoding come in as a codec (sharp's in Node: `sharpRasterCodec`).
 */
import { MedcolorError } from '../errors.js';
import { decodeGrayInput, type GrayInput, type GrayInputOptions, type InputFormat } from '../io/decode-input.js';
import {
  checkOutputFormat, encodeConfidenceOutputs, encodeOutputs, type ConfidenceMap, type EncodedOutput, type OutputFormat, type OutputProvenance,
} from '../io/encode-output.js';
import type { RasterCodec } from '../io/raster-image.js';
import type { RgbImage } from '../image/types.js';
import type { ColorizationMethod } from '../methods/types.js';
import type { ModelMethodOptions } from '../methods/model.js';
import { recombineToSrgb8 } from '../color/recombine.js';
import { colorizeImages, type ColorizeOptions, type ColorizeOutput } from './colorize.js';
import { hintedFrames, smoothChromaAcrossSlices, type SliceSmoothingOptions } from './slice-consistency.js';

/** Options of {@link colorizeInput}. */
export interface ColorizeInputOptions extends ColorizeOptions {
  /** Output format (default 'png'). */
  format?: OutputFormat;
  /** Frames per method call (default 8): a model runs them as one batch. */
  batch?: number;
  /** Recorded in DICOM output; default `{ method: method.name }`. */
  provenance?: OutputProvenance;
  /** PNG encoder, needed for 'png' output. */
  encodePng?: (img: RgbImage) => Promise<Uint8Array>;
  /**
   * Multi-frame input: smooth a*b* along the slice axis, weighted by L* similarity, so colors stay
   * consistent from slice to slice (slice-consistency.ts; true = its defaults). Outputs then come
   * once all frames are done. Default false.
   */
  consistentSlices?: boolean | SliceSmoothingOptions;
}

/** What was made of one input. */
export interface ColorizedInput {
  format: InputFormat;
  /** Frames (DICOM) or slices (NIfTI) colorized. */
  frames: number;
  width: number;
  height: number;
  /** Notices about reading and displaying the input (each once), e.g. a window that could not be applied. */
  warnings: string[];
  /** With `confidence`: the mean confidence (0..1) over every pixel of every frame, when the method gives one. */
  meanConfidence?: number;
}

/**
 * Colorizes every frame of a decoded input, `batch` frames per method call, and hands the
 * encoded outputs to `onOutputs` as they are ready: PNG frames batch by batch (memory stays
 * flat over long series), a DICOM or NIfTI output once all frames are done.
 *
 * @example
 * const input = await readGrayInput('cine.dcm');
 * await colorizeInput(input, getMethod('lut'), { format: 'png', encodePng }, async (outs) => save(outs));
 */
export async function colorizeInput(
  input: GrayInput,
  method: ColorizationMethod,
  options: ColorizeInputOptions,
  onOutputs: (outputs: EncodedOutput[]) => Promise<void>,
): Promise<ColorizedInput> {
  const format = options.format ?? 'png';
  checkOutputFormat(format, input);
  const batch = options.batch ?? 8;
  if (!(Number.isInteger(batch) && batch >= 1)) {
    throw new MedcolorError('ERR_USAGE', `batch must be an integer >= 1; found ${batch}`, { file: input.source || undefined });
  }
  if (input.frames.length === 0) {
    throw new MedcolorError('ERR_UNSUPPORTED_FORMAT', 'the input holds no image frames', { file: input.source || undefined });
  }
  const warnings = [...input.notices];
  const notice = (m: string) => {
    if (!warnings.includes(m)) warnings.push(m);
    options.onNotice?.(m);
  };
  const provenance = options.provenance ?? { method: method.name };
  const colorizeOptions: ColorizeOptions = { ...options, onNotice: notice };
  const total = input.frames.length;
  const kept: RgbImage[] = [];
  // With options.confidence, the confidence maps are encoded beside the outputs (encodeConfidenceOutputs).
  const keptMaps: ConfidenceMap[] = [];
  let noConfidence = false, confidenceSum = 0, confidencePixels = 0;
  // A method's warnings, once per code for the whole input (the first frame's words, the count of frames).
  const methodWarnings = new Map<string, { message: string; frames: number }>();
  let width = 0, height = 0;
  // Hints given on one frame (hints.frame) reach the frames near it only (slice-consistency.ts).
  const hints = (options.methodOptions as ModelMethodOptions | undefined)?.hints;
  const hinted = hintedFrames(hints?.frame, hints?.frameReach);
  const withoutHints: ModelMethodOptions = { ...options.methodOptions };
  delete withoutHints.hints;
  const colorizeRun = async (s: number, e: number): Promise<ColorizeOutput[]> => {
    // Consecutive frames with the same hinting go to the method together.
    const outs: ColorizeOutput[] = [];
    for (let a = s; a < e;) {
      let b = a + 1;
      while (b < e && hinted(b) === hinted(a)) b++;
      const opts = hinted(a) ? colorizeOptions : { ...colorizeOptions, methodOptions: withoutHints };
      outs.push(...await colorizeImages(input.frames.slice(a, b), method, opts));
      a = b;
    }
    return outs;
  };
  const smooth = options.consistentSlices && total > 1 ? (options.consistentSlices === true ? {} : options.consistentSlices) : undefined;
  const all: ColorizeOutput[] = [];
  const emit = async (outs: ColorizeOutput[], s: number): Promise<void> => {
    const rgb = outs.map((o) => o.rgb);
    const maps: ConfidenceMap[] = [];
    if (options.confidence) {
      for (const o of outs) {
        if (!o.confidence) noConfidence = true;
        else {
          maps.push({ width: o.rgb.width, height: o.rgb.height, data: o.confidence });
          for (const c of o.confidence) confidenceSum += c;
          confidencePixels += o.confidence.length;
        }
      }
    }
    const withMaps = options.confidence && !noConfidence;
    if (format === 'png') {
      const encoded = await encodeOutputs(rgb, input, { format, provenance, encodePng: options.encodePng, first: s });
      if (withMaps) encoded.push(...encodeConfidenceOutputs(maps, input, { format, provenance, first: s }));
      await onOutputs(encoded);
    } else {
      kept.push(...rgb);
      keptMaps.push(...maps);
    }
  };
  try {
    for (let s = 0; s < total; s += batch) {
      const outs = await colorizeRun(s, Math.min(total, s + batch));
      for (const w of outs.flatMap((o) => o.warnings)) {
        const seen = methodWarnings.get(w.code);
        if (seen) seen.frames++;
        else methodWarnings.set(w.code, { message: w.message, frames: 1 });
      }
      [width, height] = [outs[0].rgb.width, outs[0].rgb.height];
      if (smooth) all.push(...outs);
      else await emit(outs, s);
    }
  } catch (e) {
    if (e instanceof MedcolorError && e.code === 'ERR_OUT_OF_DOMAIN' && !e.file && input.source) throw new MedcolorError(e.code, e.message, { file: input.source, cause: e });
    throw e;
  }
  if (smooth) {
    const abs = smoothChromaAcrossSlices(all.map((o) => o.L.data), all.map((o) => o.ab), width, height, smooth);
    const outs = all.map((o, t) => ({ ...o, rgb: { width, height, data: recombineToSrgb8(o.L.data, width, height, abs[t], width, height).rgb } }));
    all.length = 0;
    await emit(outs, 0);
  }
  if (format !== 'png') {
    const encoded = await encodeOutputs(kept, input, { format, provenance });
    if (options.confidence && !noConfidence) encoded.push(...encodeConfidenceOutputs(keptMaps, input, { format, provenance }));
    await onOutputs(encoded);
  }
  if (options.confidence && noConfidence) notice(`method ${method.name} gives no confidence map, so no .confidence file is written (docs/trust.md)`);
  for (const [code, w] of methodWarnings) {
    notice(`${code}: ${w.message}${total > 1 ? ` (${w.frames} of ${total} frames)` : ''}`);
  }
  const meanConfidence = options.confidence && !noConfidence && confidencePixels ? Math.round((confidenceSum / confidencePixels) * 1000) / 1000 : undefined;
  return { format: input.format, frames: total, width, height, warnings, ...(meanConfidence !== undefined ? { meanConfidence } : {}) };
}

/** Options of {@link colorizeBytes}. */
export interface ColorizeBytesOptions extends Omit<ColorizeInputOptions, 'encodePng'>, Omit<GrayInputOptions, 'onNotice'> {
  /** The input's name (messages, DICOM meta.source, last hint of its format). */
  name?: string;
  /** The .img bytes when the input is the .hdr of a NIfTI pair. */
  companion?: Uint8Array;
  /** Raster decoding and PNG encoding: `sharpRasterCodec` in Node, the web app's own in a browser. */
  raster?: RasterCodec;
}

/** What {@link colorizeBytes} returns. */
export interface ColorizedBytes extends ColorizedInput {
  /** The encoded results: one per frame for PNG, one for DICOM or NIfTI. */
  outputs: EncodedOutput[];
}

/**
 * Colorizes one input given as bytes and returns the encoded results with their content type
 * and what was read: the function the HTTP server and the browser app call for one upload.
 *
 * @example
 * import { sharpRasterCodec } from 'medcolor';
 * const r = await colorizeBytes(bytes, getMethod('lut'), { name: 'ct.dcm', format: 'dcm', raster: sharpRasterCodec });
 * r.outputs[0].contentType; // 'application/dicom'
 * r.warnings;               // e.g. a window that could not be applied
 */
export async function colorizeBytes(bytes: Uint8Array, method: ColorizationMethod, options: ColorizeBytesOptions = {}): Promise<ColorizedBytes> {
  const input = await decodeGrayInput(bytes, {
    name: options.name,
    companion: options.companion,
    frame: options.frame,
    axis: options.axis,
    volume: options.volume,
    maxPixels: options.maxPixels,
    decodeRaster: options.raster?.decode,
  });
  const outputs: EncodedOutput[] = [];
  const result = await colorizeInput(input, method, { ...options, encodePng: options.raster?.encodePng }, async (o) => {
    outputs.push(...o);
  });
  return { ...result, outputs };
}
