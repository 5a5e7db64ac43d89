/**
 * DICOM bytes to images: the public decoders, built from one file per job:
 *   dataset.ts            parsing (dicom-parser) and typed attribute access; tags.ts the tag table
 *   pixel-spec.ts         the Image Pixel module and whether it can be decoded
 *   frame-samples.ts      one frame's samples: native-samples.ts, or encapsulated-frames.ts and
 *                         a frame decoder of codecs/ (one file per decoder)
 *   frame-attributes.ts   rescale / Modality LUT, windows, VOI LUT, spacing of a frame
 *   modality-lut.ts       stored values to physical values (HU for CT)
 *   photometric.ts        YBR and PALETTE COLOR (palette.ts) to RGB
 *   info.ts               header facts without pixels (`decodeDicomInfo`)
 * Works on bytes and imports no Node module, so the browser app runs the very same code;
 * `read.ts` adds the file system.
 *
 * Color images (RGB, YBR_*, PALETTE COLOR) are turned into gray by lightness (`rgbToLightnessGray`
 * of color/lab.ts): each pixel becomes the 8-bit-scale sRGB gray level (0..255, not rounded)
 * whose CIELAB L* equals the pixel's L*, so that displaying it with the default window
 * reproduces the lightness exactly; a notice says so.
 * `decodeDicomRgb` returns the colors instead (for evaluation against a color ground truth).
 */
import { MedcolorError } from '../../errors.js';
import type { GrayImage, GrayMeta, RgbImage } from '../../image/types.js';
import { rgbToLightnessGray } from '../../color/lab.js';
import { grayToDisplay } from '../../image/window.js';
import { getString, parseDataSet, preparePako, type DataSet } from './dataset.js';
import { readFrameAttributes, readPixelSpacing } from './frame-attributes.js';
import { decodeFrameSamples } from './frame-samples.js';
import { applyModalityLut } from './modality-lut.js';
import { readPalette } from './palette.js';
import { samplesToRgb01 } from './photometric.js';
import { isColorSpec, readPixelSpec, validatePixelSpec, type PixelSpec } from './pixel-spec.js';
import { IDENTITY_TAGS, TAG } from './tags.js';

/** Options of `decodeDicom` / `readDicom`. */
export interface DicomReadOptions {
  /** 0-based frame index, or 'all' (default) for one image per frame. */
  frame?: number | 'all';
  /** File name used in error messages and meta.source. */
  source?: string;
  /** Receives notices (e.g. "color converted to gray"); they are also kept in meta.extra.notices. */
  onNotice?: (message: string) => void;
}

function collectIdentity(ds: DataSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, tag] of Object.entries(IDENTITY_TAGS)) {
    const el = ds.elements[tag];
    if (!el || el.length === 0) continue;
    const s = ds.string(tag);
    if (s === undefined) continue;
    const t = s.replace(/\0/g, '').trim();
    if (t !== '') out[name] = t;
  }
  return out;
}

function frameIndices(spec: PixelSpec, frame: number | 'all' | undefined, file?: string): number[] {
  if (frame === undefined || frame === 'all') return Array.from({ length: spec.frameCount }, (_, i) => i);
  if (!Number.isInteger(frame) || frame < 0 || frame >= spec.frameCount) {
    throw new MedcolorError('ERR_DICOM_FRAME', `frame ${frame} does not exist; valid: 0..${spec.frameCount - 1} or 'all'`, { file });
  }
  return [frame];
}

async function openForPixels(bytes: Uint8Array, file?: string): Promise<{ ds: DataSet; spec: PixelSpec }> {
  await preparePako();
  const ds = parseDataSet(bytes, { file });
  const spec = readPixelSpec(ds, file);
  validatePixelSpec(spec, file);
  return { ds, spec };
}

/**
 * Decodes DICOM bytes to gray images holding physical values (Modality LUT applied: Hounsfield
 * units for CT), one per frame, with the metadata a viewer needs. Color images become gray by
 * lightness (see the module comment).
 *
 * @example
 * const [slice] = await decodeDicom(bytes, { frame: 0 });
 * slice.meta.units; // 'HU' for CT
 */
export async function decodeDicom(bytes: Uint8Array, options: DicomReadOptions = {}): Promise<GrayImage[]> {
  const file = options.source;
  const { ds, spec } = await openForPixels(bytes, file);
  const indices = frameIndices(spec, options.frame, file);
  const identity = collectIdentity(ds);
  const modality = getString(ds, TAG.modality);
  const color = isColorSpec(spec);
  const palette = spec.photometric === 'PALETTE COLOR' ? readPalette(ds, file) : undefined;
  const notices: string[] = [];
  if (color) {
    notices.push(
      `${spec.photometric} image converted to gray: each value is the sRGB gray level (0..255) with the same CIELAB L* as the color pixel`,
    );
    notices.forEach((m) => options.onNotice?.(`${file ?? 'DICOM'}: ${m}`));
  }
  const out: GrayImage[] = [];
  for (const index of indices) {
    const fs = await decodeFrameSamples(ds, spec, index, file);
    const base = {
      modality,
      bitsAllocated: spec.bitsAllocated,
      bitsStored: spec.bitsStored,
      signed: spec.signed,
      frameIndex: index,
      frameCount: spec.frameCount,
      transferSyntax: spec.ts.uid,
      source: file,
    };
    const extra: Record<string, unknown> = {
      dicom: identity,
      transferSyntaxName: spec.ts.name,
      sourcePhotometric: spec.photometric,
      notices: [...notices],
    };
    if (color) {
      const data = rgbToLightnessGray(samplesToRgb01(ds, spec, fs, file, palette), 1);
      const meta: GrayMeta = {
        ...base,
        photometric: 'MONOCHROME2',
        units: '',
        valueRange: [0, 255],
        // Display as-is: LINEAR_EXACT over 0..255 gives v = value / 255 exactly.
        windows: [{ center: 127.5, width: 255, explanation: 'gray level with the L* of the color image' }],
        voiLutFunction: 'LINEAR_EXACT',
        pixelSpacing: readPixelSpacing(ds, index),
        extra,
      };
      out.push({ width: spec.columns, height: spec.rows, data, meta });
      continue;
    }
    const attrs = readFrameAttributes(ds, spec, index, file);
    const { data, units, valueRange } = applyModalityLut(ds, spec, attrs, fs.values, modality);
    const meta: GrayMeta = {
      ...base,
      photometric: spec.photometric,
      units,
      rescaleSlope: attrs.slope,
      rescaleIntercept: attrs.intercept,
      windows: attrs.windows,
      voiLutFunction: attrs.voiLutFunction,
      voiLut: attrs.voiLut,
      pixelSpacing: attrs.pixelSpacing,
      valueRange,
      extra: { ...extra, rescaleType: attrs.rescaleType, hasModalityLutSequence: !!attrs.modalityLut },
    };
    if (meta.voiLutFunction === undefined) delete meta.voiLutFunction;
    if (meta.voiLut === undefined) delete meta.voiLut;
    out.push({ width: spec.columns, height: spec.rows, data, meta });
  }
  return out;
}

/**
 * Decodes DICOM bytes to 8-bit sRGB images, one per frame: color images keep their colors (YBR
 * converted, palette applied, 16/32-bit samples scaled to 8 bits); gray images are shown as a
 * viewer would (first window or VOI LUT, MONOCHROME1 inverted) in gray RGB.
 *
 * @example
 * const [rgb] = await decodeDicomRgb(bytes, { frame: 0 });
 */
export async function decodeDicomRgb(bytes: Uint8Array, options: DicomReadOptions = {}): Promise<RgbImage[]> {
  const file = options.source;
  const { ds, spec } = await openForPixels(bytes, file);
  if (!isColorSpec(spec)) {
    const grays = await decodeDicom(bytes, options);
    return grays.map((g) => {
      const v = grayToDisplay(g);
      const data = new Uint8Array(v.length * 3);
      for (let i = 0; i < v.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = Math.round(255 * v[i]);
      return { width: g.width, height: g.height, data };
    });
  }
  const palette = spec.photometric === 'PALETTE COLOR' ? readPalette(ds, file) : undefined;
  const out: RgbImage[] = [];
  for (const index of frameIndices(spec, options.frame, file)) {
    const fs = await decodeFrameSamples(ds, spec, index, file);
    const rgb = samplesToRgb01(ds, spec, fs, file, palette);
    const data = new Uint8Array(rgb.length);
    for (let i = 0; i < rgb.length; i++) data[i] = Math.round(255 * rgb[i]);
    out.push({ width: spec.columns, height: spec.rows, data });
  }
  return out;
}
