/**
 * The attributes a viewer needs to show one frame: rescale slope/intercept or the Modality LUT
 * Sequence, windows and the VOI LUT function and sequence, pixel spacing; for enhanced
 * multi-frame objects from the per-frame and shared functional groups, falling back to the
 * top-level attributes. Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../errors.js';
import type { VoiLut, VoiWindow } from '../../image/types.js';
import { getItems, getNumber, getNumbers, getString, getStrings, readLut, type DataSet, type RawLut } from './dataset.js';
import type { PixelSpec } from './pixel-spec.js';
import { TAG } from './tags.js';

/** Per-frame attributes of enhanced multi-frame objects, falling back to shared and top-level ones. */
function frameGroupItem(ds: DataSet, frame: number, seqTag: string): DataSet | undefined {
  const perFrame = getItems(ds, TAG.perFrameGroups)[frame];
  const fromPerFrame = getItems(perFrame, seqTag)[0];
  if (fromPerFrame) return fromPerFrame;
  const shared = getItems(ds, TAG.sharedGroups)[0];
  return getItems(shared, seqTag)[0];
}

/** The windows (center, width, explanation) and the VOI LUT Function of a dataset or functional group item. */
export function readWindows(src: DataSet, file?: string): { windows: VoiWindow[]; fn?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' } {
  const centers = getNumbers(src, TAG.windowCenter);
  const widths = getNumbers(src, TAG.windowWidth);
  const explanations = getStrings(src, TAG.windowExplanation);
  const windows: VoiWindow[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    if (!Number.isFinite(centers[i]) || !Number.isFinite(widths[i])) continue;
    const w: VoiWindow = { center: centers[i], width: widths[i] };
    if (explanations[i]) w.explanation = explanations[i];
    windows.push(w);
  }
  const f = getString(src, TAG.voiLutFunction)?.toUpperCase();
  let fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' | undefined;
  if (f === 'LINEAR' || f === 'LINEAR_EXACT' || f === 'SIGMOID') fn = f;
  else if (f !== undefined) {
    throw new MedcolorError('ERR_DICOM_INVALID_VALUE', `VOI LUT Function (0028,1056) is '${f}'; expected LINEAR, LINEAR_EXACT or SIGMOID`, {
      file,
    });
  }
  return { windows, fn };
}

/** Pixel spacing of a frame (functional groups, then Pixel Spacing, then Imager Pixel Spacing), in mm. */
export function readPixelSpacing(ds: DataSet, frame: number): [number, number] | undefined {
  const measures = frameGroupItem(ds, frame, TAG.pixelMeasuresSeq);
  for (const [src, tag] of [
    [measures, TAG.pixelSpacing],
    [ds, TAG.pixelSpacing],
    [ds, TAG.imagerPixelSpacing],
  ] as const) {
    if (!src) continue;
    const v = getNumbers(src, tag);
    if (v.length >= 2 && v.every((x) => Number.isFinite(x) && x > 0)) return [v[0], v[1]];
  }
  return undefined;
}

/** The Modality LUT and VOI attributes of one frame. */
export interface FrameAttributes {
  slope: number;
  intercept: number;
  rescaleType?: string;
  modalityLut?: RawLut;
  windows: VoiWindow[];
  voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  voiLut?: VoiLut;
  pixelSpacing?: [number, number];
}

/** Reads the Modality LUT and VOI attributes of frame `frame` (0-based). */
export function readFrameAttributes(ds: DataSet, spec: PixelSpec, frame: number, file?: string): FrameAttributes {
  const transform = frameGroupItem(ds, frame, TAG.pixelValueTransformSeq);
  const rescaleSrc = transform && transform.elements[TAG.rescaleSlope] ? transform : ds;
  const slope = getNumber(rescaleSrc, TAG.rescaleSlope, 'RescaleSlope', file) ?? 1;
  const intercept = getNumber(rescaleSrc, TAG.rescaleIntercept, 'RescaleIntercept', file) ?? 0;
  const rescaleType = getString(rescaleSrc, TAG.rescaleType);
  const mlutItem = getItems(ds, TAG.modalityLutSeq)[0];
  const modalityLut = mlutItem ? readLut(mlutItem, TAG.lutDescriptor, TAG.lutData, spec.signed, file) : undefined;
  const voiItem = frameGroupItem(ds, frame, TAG.frameVoiLutSeq);
  const fromFrame = voiItem ? readWindows(voiItem, file) : undefined;
  const top = readWindows(ds, file);
  const windows = fromFrame && fromFrame.windows.length > 0 ? fromFrame.windows : top.windows;
  const voiLutFunction = fromFrame?.fn ?? top.fn;
  const voiLutItem = getItems(ds, TAG.voiLutSeq)[0];
  let voiLut: VoiLut | undefined;
  if (voiLutItem) {
    // The VOI LUT input is the Modality LUT output: signed when the modality values can be negative.
    const lut = readLut(voiLutItem, TAG.lutDescriptor, TAG.lutData, spec.signed || intercept < 0, file);
    if (lut) voiLut = { firstMapped: lut.firstMapped, bits: lut.bits, data: lut.data };
  }
  return {
    slope,
    intercept,
    rescaleType,
    modalityLut,
    windows,
    voiLutFunction,
    voiLut,
    pixelSpacing: readPixelSpacing(ds, frame),
  };
}
