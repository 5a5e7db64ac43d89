/**
 * The Modality LUT (PS3.3 C.11.1): stored values to physical ones (Hounsfield units for CT)
 * through rescale slope/intercept or the Modality LUT Sequence, with the units and the value
 * range a display without a window uses. Float Pixel Data is physical already.
 * Browser-safe: no Node built-ins.
 */
import { getItems, getString, type DataSet } from './dataset.js';
import type { FrameAttributes } from './frame-attributes.js';
import type { PixelSpec } from './pixel-spec.js';
import { TAG } from './tags.js';

/** Value range of a modality-transformed integer image, for display without a window. */
function modalityRange(spec: PixelSpec, attrs: FrameAttributes): [number, number] {
  if (attrs.modalityLut) {
    let lo = Infinity, hi = -Infinity;
    for (const v of attrs.modalityLut.data) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return [lo, hi];
  }
  const sMin = spec.signed ? -(2 ** (spec.bitsStored - 1)) : 0;
  const sMax = spec.signed ? 2 ** (spec.bitsStored - 1) - 1 : 2 ** spec.bitsStored - 1;
  const a = sMin * attrs.slope + attrs.intercept, b = sMax * attrs.slope + attrs.intercept;
  return [Math.min(a, b), Math.max(a, b)];
}

/** Physical values of one frame, their units ('' when unknown) and the range they can take. */
export interface ModalityValues {
  data: Float32Array;
  units: string;
  valueRange: [number, number];
}

/**
 * Applies the Modality LUT of a frame to its samples (`values`, one per pixel).
 *
 * @example
 * const { data, units } = applyModalityLut(ds, spec, attrs, samples.values, 'CT'); // units 'HU'
 */
export function applyModalityLut(
  ds: DataSet,
  spec: PixelSpec,
  attrs: FrameAttributes,
  values: Float64Array,
  modality: string | undefined,
): ModalityValues {
  const pixels = spec.rows * spec.columns;
  const data = new Float32Array(pixels);
  const v = values;
  let units = '';
  let valueRange: [number, number];
  if (spec.kind !== 'integer') {
    // Float Pixel Data holds real-world values already (no Modality LUT).
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < pixels; i++) {
      data[i] = v[i];
      if (v[i] < lo) lo = v[i];
      if (v[i] > hi) hi = v[i];
    }
    valueRange = [lo, hi];
  } else if (attrs.modalityLut) {
    const lut = attrs.modalityLut;
    const last = lut.entries - 1;
    for (let i = 0; i < pixels; i++) {
      const k = Math.min(last, Math.max(0, v[i] - lut.firstMapped));
      data[i] = lut.data[k];
    }
    units = getString(getItems(ds, TAG.modalityLutSeq)[0], TAG.modalityLutType) ?? '';
    valueRange = modalityRange(spec, attrs);
  } else {
    const { slope, intercept } = attrs;
    for (let i = 0; i < pixels; i++) data[i] = v[i] * slope + intercept;
    valueRange = modalityRange(spec, attrs);
    units = attrs.rescaleType ?? (modality === 'CT' ? 'HU' : '');
    if (units === 'US') units = ''; // "unspecified"
  }
  if (spec.bitsAllocated === 1) valueRange = [0, 1];
  return { data, units, valueRange };
}
