/**
 * Header facts of a DICOM file without decoding its pixels: what `medcolor info` prints.
 * Works on bytes (parsing stops before the pixel data). Browser-safe: no Node built-ins.
 */
import type { VoiWindow } from '../../image/types.js';
import { getString, parseDataSet, preparePako, type DataSet } from './dataset.js';
import { readFrameAttributes, readPixelSpacing, readWindows, type FrameAttributes } from './frame-attributes.js';
import { readPixelSpec, type PixelLayout, type PixelSpec } from './pixel-spec.js';
import { IDENTITY_TAGS, TAG } from './tags.js';

/** Header facts of a DICOM file, read without decoding pixels. */
export interface DicomInfo extends PixelLayout {
  source?: string;
  sopClassUid?: string;
  modality?: string;
  transferSyntaxUid: string;
  transferSyntaxName: string;
  /** Whether medcolor can decode this transfer syntax. */
  decodable: boolean;
  hasPixelData: boolean;
  pixelDataKind?: 'integer' | 'float32' | 'float64';
  rescaleSlope?: number;
  rescaleIntercept?: number;
  rescaleType?: string;
  hasModalityLutSequence: boolean;
  windows: VoiWindow[];
  voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  hasVoiLutSequence: boolean;
  pixelSpacing?: [number, number];
  patientName?: string;
  studyDescription?: string;
  seriesDescription?: string;
}

function describe(ds: DataSet, source?: string): DicomInfo {
  const spec = readPixelSpec(ds, source);
  const attrs = spec.kind === 'integer' && spec.samplesPerPixel === 1 ? safeAttributes(ds, spec, source) : undefined;
  const top = readWindows(ds, source);
  return {
    source,
    sopClassUid: getString(ds, TAG.sopClass),
    modality: getString(ds, TAG.modality),
    ...pickLayout(spec),
    transferSyntaxUid: spec.ts.uid,
    transferSyntaxName: spec.ts.name,
    decodable: spec.ts.encoding !== 'unsupported',
    hasPixelData: !!spec.pixelTag || !!ds.elements[TAG.pixelData],
    pixelDataKind: spec.pixelTag ? spec.kind : undefined,
    rescaleSlope: attrs?.slope,
    rescaleIntercept: attrs?.intercept,
    rescaleType: attrs?.rescaleType,
    hasModalityLutSequence: !!ds.elements[TAG.modalityLutSeq],
    windows: attrs?.windows ?? top.windows,
    voiLutFunction: attrs?.voiLutFunction ?? top.fn,
    hasVoiLutSequence: !!ds.elements[TAG.voiLutSeq],
    pixelSpacing: readPixelSpacing(ds, 0),
    patientName: getString(ds, IDENTITY_TAGS.PatientName),
    studyDescription: getString(ds, IDENTITY_TAGS.StudyDescription),
    seriesDescription: getString(ds, IDENTITY_TAGS.SeriesDescription),
  };
}

function pickLayout(spec: PixelSpec): PixelLayout {
  const { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, signed, photometric, planarConfiguration, frameCount } = spec;
  return { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, signed, photometric, planarConfiguration, frameCount };
}

function safeAttributes(ds: DataSet, spec: PixelSpec, file?: string): FrameAttributes | undefined {
  try {
    return readFrameAttributes(ds, spec, 0, file);
  } catch {
    return undefined;
  }
}

/**
 * Header-only facts of a DICOM file (no pixel decoding; parsing stops before the pixel data).
 *
 * @example
 * const info = decodeDicomInfo(bytes); // info.modality, info.rows, info.transferSyntaxName, ...
 */
export async function decodeDicomInfo(bytes: Uint8Array, options: { source?: string } = {}): Promise<DicomInfo> {
  await preparePako();
  const ds = parseDataSet(bytes, { file: options.source, headerOnly: true });
  return describe(ds, options.source);
}
