/**
 * DICOM pixel decoding to physical values: frames out of native or encapsulated pixel data,
 * the Modality LUT (rescale slope/intercept, or the Modality LUT Sequence), and every attribute
 * a viewer needs to show the image (windows, VOI LUT function and sequence, photometric, spacing).
 * Works on bytes, so the browser app runs the very same code; `read.ts` adds the file system.
 *
 * Color images (RGB, YBR_*, PALETTE COLOR) are turned into gray by lightness: each pixel becomes
 * the 8-bit-scale sRGB gray level (0..255, not rounded) whose CIELAB L* equals the pixel's L*, so
 * that displaying it with the default window reproduces the lightness exactly; a notice says so.
 * `decodeDicomRgb` returns the colors instead (for evaluation against a color ground truth).
 */
import { MedcolorError } from '../../errors.js';
import type { GrayImage, GrayMeta, RgbImage, VoiLut, VoiWindow } from '../../image/types.js';
import { linearToSrgb, srgbToLinear } from '../../color/lab.js';
import { grayToDisplay } from '../../image/window.js';
import { decodeCompressedFrame, inflateFrame, planarToInterleaved, type DecodedFrame } from './codecs.js';
import {
  getItems,
  getNumber,
  getNumbers,
  getString,
  getStrings,
  getUint16,
  getWords,
  parseDataSet,
  preparePako,
  readLut,
  type DataSet,
  type Element,
} from './dataset.js';
import { decodeRleFrame } from './rle.js';
import { getTransferSyntax, listSupportedTransferSyntaxes, type TransferSyntaxInfo } from './transfer-syntax.js';

/** Options of `decodeDicom` / `readDicom`. */
export interface DicomReadOptions {
  /** 0-based frame index, or 'all' (default) for one image per frame. */
  frame?: number | 'all';
  /** File name used in error messages and meta.source. */
  source?: string;
  /** Receives notices (e.g. "color converted to gray"); they are also kept in meta.extra.notices. */
  onNotice?: (message: string) => void;
}

/** Header facts of a DICOM file, read without decoding pixels. */
export interface DicomInfo {
  source?: string;
  sopClassUid?: string;
  modality?: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  photometric: string;
  planarConfiguration: number;
  frameCount: number;
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

const T = {
  transferSyntax: 'x00020010',
  sopClass: 'x00080016',
  sopInstance: 'x00080018',
  modality: 'x00080060',
  samplesPerPixel: 'x00280002',
  photometric: 'x00280004',
  planar: 'x00280006',
  frames: 'x00280008',
  rows: 'x00280010',
  columns: 'x00280011',
  pixelSpacing: 'x00280030',
  imagerPixelSpacing: 'x00181164',
  bitsAllocated: 'x00280100',
  bitsStored: 'x00280101',
  highBit: 'x00280102',
  pixelRepresentation: 'x00280103',
  windowCenter: 'x00281050',
  windowWidth: 'x00281051',
  rescaleIntercept: 'x00281052',
  rescaleSlope: 'x00281053',
  rescaleType: 'x00281054',
  windowExplanation: 'x00281055',
  voiLutFunction: 'x00281056',
  modalityLutSeq: 'x00283000',
  lutDescriptor: 'x00283002',
  modalityLutType: 'x00283004',
  lutData: 'x00283006',
  voiLutSeq: 'x00283010',
  pixelData: 'x7fe00010',
  floatPixelData: 'x7fe00008',
  doublePixelData: 'x7fe00009',
  sharedGroups: 'x52009229',
  perFrameGroups: 'x52009230',
  pixelMeasuresSeq: 'x00289110',
  pixelValueTransformSeq: 'x00289145',
  frameVoiLutSeq: 'x00289132',
  redDescriptor: 'x00281101',
  greenDescriptor: 'x00281102',
  blueDescriptor: 'x00281103',
  redData: 'x00281201',
  greenData: 'x00281202',
  blueData: 'x00281203',
  redSegmented: 'x00281221',
  greenSegmented: 'x00281222',
  blueSegmented: 'x00281223',
} as const;

/** Patient/study/series attributes copied into meta.extra.dicom (what a derived object keeps). */
const IDENTITY_TAGS: Record<string, string> = {
  SpecificCharacterSet: 'x00080005',
  SOPClassUID: 'x00080016',
  SOPInstanceUID: 'x00080018',
  StudyDate: 'x00080020',
  SeriesDate: 'x00080021',
  StudyTime: 'x00080030',
  AccessionNumber: 'x00080050',
  Modality: 'x00080060',
  Manufacturer: 'x00080070',
  InstitutionName: 'x00080080',
  ReferringPhysicianName: 'x00080090',
  StudyDescription: 'x00081030',
  SeriesDescription: 'x0008103e',
  PatientName: 'x00100010',
  PatientID: 'x00100020',
  PatientBirthDate: 'x00100030',
  PatientSex: 'x00100040',
  PatientAge: 'x00101010',
  BodyPartExamined: 'x00180015',
  SliceThickness: 'x00180050',
  StudyInstanceUID: 'x0020000d',
  SeriesInstanceUID: 'x0020000e',
  StudyID: 'x00200010',
  SeriesNumber: 'x00200011',
  InstanceNumber: 'x00200013',
  ImagePositionPatient: 'x00200032',
  ImageOrientationPatient: 'x00200037',
  FrameOfReferenceUID: 'x00200052',
  Laterality: 'x00200060',
  PositionReferenceIndicator: 'x00201040',
};

/** Everything about the pixel data needed to decode it. */
interface PixelSpec {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  photometric: string;
  planarConfiguration: number;
  frameCount: number;
  ts: TransferSyntaxInfo;
  pixelTag?: string;
  kind: 'integer' | 'float32' | 'float64';
}

const tagName = (tag: string) => `(${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()})`;

function readFrameCount(ds: DataSet, file?: string): number {
  const s = getString(ds, T.frames);
  if (s === undefined) return 1;
  if (!/^\s*[+]?\d+\s*$/.test(s)) {
    throw new MedcolorError('ERR_DICOM_INVALID_VALUE', `NumberOfFrames (0028,0008) is '${s}'; expected a positive integer`, {
      file,
    });
  }
  const n = Number(s);
  return n >= 1 ? n : 1;
}

function readPixelSpec(ds: DataSet, file?: string): PixelSpec {
  const tsUid = getString(ds, T.transferSyntax) ?? '1.2.840.10008.1.2';
  const ts = getTransferSyntax(tsUid);
  const pixelTag = [T.pixelData, T.floatPixelData, T.doublePixelData].find((t) => ds.elements[t]);
  const kind = pixelTag === T.floatPixelData ? 'float32' : pixelTag === T.doublePixelData ? 'float64' : 'integer';
  const rows = getUint16(ds, T.rows) ?? 0;
  const columns = getUint16(ds, T.columns) ?? 0;
  const bitsAllocated = getUint16(ds, T.bitsAllocated) ?? (kind === 'float64' ? 64 : kind === 'float32' ? 32 : 0);
  const bitsStored = getUint16(ds, T.bitsStored) ?? bitsAllocated;
  return {
    rows,
    columns,
    samplesPerPixel: getUint16(ds, T.samplesPerPixel) ?? 1,
    bitsAllocated,
    bitsStored,
    highBit: getUint16(ds, T.highBit) ?? bitsStored - 1,
    signed: (getUint16(ds, T.pixelRepresentation) ?? 0) === 1,
    photometric: getString(ds, T.photometric) ?? (kind === 'integer' ? '' : 'MONOCHROME2'),
    planarConfiguration: getUint16(ds, T.planar) ?? 0,
    frameCount: readFrameCount(ds, file),
    ts,
    pixelTag,
    kind,
  };
}

/** Checks that the pixel module can be decoded; throws a typed error naming what is not. */
function validatePixelSpec(spec: PixelSpec, file?: string): void {
  if (!spec.pixelTag) {
    throw new MedcolorError('ERR_DICOM_NO_PIXEL_DATA', 'the file has no Pixel Data (7FE0,0010); it is not an image (e.g. SR, RT plan)', {
      file,
    });
  }
  if (spec.ts.encoding === 'unsupported') {
    throw new MedcolorError(
      'ERR_DICOM_TRANSFER_SYNTAX',
      `transfer syntax ${spec.ts.name} (${spec.ts.uid}) is not supported; supported: ${listSupportedTransferSyntaxes().join(', ')}`,
      { file },
    );
  }
  if (spec.rows === 0 || spec.columns === 0) {
    throw new MedcolorError('ERR_DICOM_MISSING_ATTRIBUTE', `Rows/Columns are ${spec.rows}x${spec.columns}; expected a positive size`, {
      file,
    });
  }
  if (![1, 8, 16, 32, 64].includes(spec.bitsAllocated)) {
    throw new MedcolorError('ERR_DICOM_BITS', `BitsAllocated is ${spec.bitsAllocated}; supported: 1, 8, 16, 32 (64 for Double Float Pixel Data)`, {
      file,
    });
  }
  if (spec.kind === 'integer' && (spec.bitsStored < 1 || spec.bitsStored > spec.bitsAllocated || spec.highBit >= spec.bitsAllocated)) {
    throw new MedcolorError(
      'ERR_DICOM_BITS',
      `BitsStored ${spec.bitsStored} / HighBit ${spec.highBit} do not fit BitsAllocated ${spec.bitsAllocated}`,
      { file },
    );
  }
  if (spec.samplesPerPixel !== 1 && spec.samplesPerPixel !== 3) {
    throw new MedcolorError('ERR_DICOM_PHOTOMETRIC', `SamplesPerPixel is ${spec.samplesPerPixel}; supported: 1 (gray, palette) or 3 (RGB, YBR)`, {
      file,
    });
  }
  const okPhotometric =
    spec.samplesPerPixel === 1
      ? ['MONOCHROME1', 'MONOCHROME2', 'PALETTE COLOR'].includes(spec.photometric)
      : ['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_ICT', 'YBR_RCT', 'YBR_PARTIAL_420', 'YBR_PARTIAL_422'].includes(spec.photometric);
  if (!okPhotometric) {
    throw new MedcolorError(
      'ERR_DICOM_PHOTOMETRIC',
      `PhotometricInterpretation '${spec.photometric}' with ${spec.samplesPerPixel} sample(s) per pixel is not supported; ` +
        'supported: MONOCHROME1, MONOCHROME2, PALETTE COLOR (1 sample); RGB, YBR_FULL, YBR_FULL_422, YBR_ICT, YBR_RCT (3 samples)',
      { file },
    );
  }
}

/** Per-frame attributes of enhanced multi-frame objects, falling back to shared and top-level ones. */
function frameGroupItem(ds: DataSet, frame: number, seqTag: string): DataSet | undefined {
  const perFrame = getItems(ds, T.perFrameGroups)[frame];
  const fromPerFrame = getItems(perFrame, seqTag)[0];
  if (fromPerFrame) return fromPerFrame;
  const shared = getItems(ds, T.sharedGroups)[0];
  return getItems(shared, seqTag)[0];
}

function readWindows(src: DataSet, file?: string): { windows: VoiWindow[]; fn?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' } {
  const centers = getNumbers(src, T.windowCenter);
  const widths = getNumbers(src, T.windowWidth);
  const explanations = getStrings(src, T.windowExplanation);
  const windows: VoiWindow[] = [];
  for (let i = 0; i < Math.min(centers.length, widths.length); i++) {
    if (!Number.isFinite(centers[i]) || !Number.isFinite(widths[i])) continue;
    const w: VoiWindow = { center: centers[i], width: widths[i] };
    if (explanations[i]) w.explanation = explanations[i];
    windows.push(w);
  }
  const f = getString(src, T.voiLutFunction)?.toUpperCase();
  let fn: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID' | undefined;
  if (f === 'LINEAR' || f === 'LINEAR_EXACT' || f === 'SIGMOID') fn = f;
  else if (f !== undefined) {
    throw new MedcolorError('ERR_DICOM_INVALID_VALUE', `VOI LUT Function (0028,1056) is '${f}'; expected LINEAR, LINEAR_EXACT or SIGMOID`, {
      file,
    });
  }
  return { windows, fn };
}

function readPixelSpacing(ds: DataSet, frame: number): [number, number] | undefined {
  const measures = frameGroupItem(ds, frame, T.pixelMeasuresSeq);
  for (const [src, tag] of [
    [measures, T.pixelSpacing],
    [ds, T.pixelSpacing],
    [ds, T.imagerPixelSpacing],
  ] as const) {
    if (!src) continue;
    const v = getNumbers(src, tag);
    if (v.length >= 2 && v.every((x) => Number.isFinite(x) && x > 0)) return [v[0], v[1]];
  }
  return undefined;
}

interface FrameAttributes {
  slope: number;
  intercept: number;
  rescaleType?: string;
  modalityLut?: ReturnType<typeof readLut>;
  windows: VoiWindow[];
  voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  voiLut?: VoiLut;
  pixelSpacing?: [number, number];
}

function readFrameAttributes(ds: DataSet, spec: PixelSpec, frame: number, file?: string): FrameAttributes {
  const transform = frameGroupItem(ds, frame, T.pixelValueTransformSeq);
  const rescaleSrc = transform && transform.elements[T.rescaleSlope] ? transform : ds;
  const slope = getNumber(rescaleSrc, T.rescaleSlope, 'RescaleSlope', file) ?? 1;
  const intercept = getNumber(rescaleSrc, T.rescaleIntercept, 'RescaleIntercept', file) ?? 0;
  const rescaleType = getString(rescaleSrc, T.rescaleType);
  const mlutItem = getItems(ds, T.modalityLutSeq)[0];
  const modalityLut = mlutItem ? readLut(mlutItem, T.lutDescriptor, T.lutData, spec.signed, file) : undefined;
  const voiItem = frameGroupItem(ds, frame, T.frameVoiLutSeq);
  const fromFrame = voiItem ? readWindows(voiItem, file) : undefined;
  const top = readWindows(ds, file);
  const windows = fromFrame && fromFrame.windows.length > 0 ? fromFrame.windows : top.windows;
  const voiLutFunction = fromFrame?.fn ?? top.fn;
  const voiLutItem = getItems(ds, T.voiLutSeq)[0];
  let voiLut: VoiLut | undefined;
  if (voiLutItem) {
    // The VOI LUT input is the Modality LUT output: signed when the modality values can be negative.
    const lut = readLut(voiLutItem, T.lutDescriptor, T.lutData, spec.signed || intercept < 0, file);
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

// ---------------------------------------------------------------------------------------------
// Frame extraction

/** Groups the fragments of encapsulated pixel data into frames. */
function groupFragments(ds: DataSet, el: Element, spec: PixelSpec, file?: string): Uint8Array[] {
  const frags = el.fragments ?? [];
  const bytes = ds.byteArray as Uint8Array;
  const view = (f: { position: number; length: number }) => bytes.subarray(f.position, f.position + f.length);
  if (frags.length === 0) {
    throw new MedcolorError('ERR_DICOM_FRAGMENTS', 'encapsulated pixel data has no fragments', { file });
  }
  for (const f of frags) {
    if (f.position + f.length > bytes.length) {
      throw new MedcolorError('ERR_DICOM_TRUNCATED', `pixel data fragment ends at byte ${f.position + f.length}, past the end of the file (${bytes.length})`, {
        file,
      });
    }
  }
  const concat = (list: typeof frags) => {
    if (list.length === 1) return view(list[0]);
    const total = list.reduce((a, f) => a + f.length, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const f of list) {
      out.set(view(f), o);
      o += f.length;
    }
    return out;
  };
  const n = spec.frameCount;
  if (n === 1) return [concat(frags)];
  const bot = el.basicOffsetTable ?? [];
  if (bot.length === n) {
    const out: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const lo = bot[i];
      const hi = i + 1 < n ? bot[i + 1] : Infinity;
      out.push(concat(frags.filter((f) => f.offset >= lo && f.offset < hi)));
    }
    return out;
  }
  if (frags.length === n) return frags.map((f) => view(f));
  // No usable offset table: a frame starts at each fragment that opens a codestream
  // (JPEG SOI FFD8 for JPEG and JPEG-LS, SOC FF4F for JPEG 2000 and HTJ2K).
  if (spec.ts.encoding !== 'rle' && spec.ts.encoding !== 'deflate-frame') {
    const groups: (typeof frags)[] = [];
    for (const f of frags) {
      const b = view(f);
      const starts = b.length >= 2 && b[0] === 0xff && (b[1] === 0xd8 || b[1] === 0x4f);
      if (starts || groups.length === 0) groups.push([f]);
      else groups[groups.length - 1].push(f);
    }
    if (groups.length === n) return groups.map(concat);
  }
  throw new MedcolorError(
    'ERR_DICOM_FRAGMENTS',
    `cannot split ${frags.length} pixel data fragments into ${n} frames (no usable Basic Offset Table)`,
    { file },
  );
}

/** A frame's samples as float64, interleaved per pixel, plus the photometric they are in. */
interface FrameSamples {
  values: Float64Array;
  photometric: string;
  /** Largest possible sample value (for scaling color samples). */
  maxValue: number;
}

/** Reads native (uncompressed) samples; `bitOffset` is where the frame starts, in bits. */
function readNativeSamples(
  bytes: Uint8Array,
  bitOffset: number,
  spec: PixelSpec,
  littleEndian: boolean,
  swap8: boolean,
): Float64Array {
  const pixels = spec.rows * spec.columns;
  const ybr422 = spec.photometric === 'YBR_FULL_422' || spec.photometric === 'YBR_PARTIAL_422';
  const n = pixels * spec.samplesPerPixel;
  const out = new Float64Array(n);
  const byteOffset = bitOffset >> 3;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (spec.bitsAllocated === 1) {
    for (let i = 0; i < n; i++) {
      const b = bitOffset + i;
      out[i] = (bytes[b >> 3] >> (b & 7)) & 1;
    }
    return out;
  }
  if (spec.kind === 'float32' || spec.kind === 'float64') {
    const step = spec.kind === 'float32' ? 4 : 8;
    for (let i = 0; i < n; i++) {
      out[i] = step === 4 ? dv.getFloat32(byteOffset + 4 * i, littleEndian) : dv.getFloat64(byteOffset + 8 * i, littleEndian);
    }
    return out;
  }
  if (spec.bitsAllocated === 8 && ybr422 && spec.samplesPerPixel === 3) {
    // Y1 Y2 Cb Cr per pair of pixels: expand to full YCbCr.
    for (let p = 0; p < pixels; p += 2) {
      const o = byteOffset + 2 * p;
      const y1 = bytes[o], y2 = bytes[o + 1], cb = bytes[o + 2], cr = bytes[o + 3];
      out[3 * p] = y1;
      out[3 * p + 1] = cb;
      out[3 * p + 2] = cr;
      if (p + 1 < pixels) {
        out[3 * p + 3] = y2;
        out[3 * p + 4] = cb;
        out[3 * p + 5] = cr;
      }
    }
    return out;
  }
  if (spec.bitsAllocated === 8) {
    for (let i = 0; i < n; i++) out[i] = bytes[byteOffset + (swap8 ? i ^ 1 : i)];
  } else if (spec.bitsAllocated === 16) {
    for (let i = 0; i < n; i++) out[i] = dv.getUint16(byteOffset + 2 * i, littleEndian);
  } else if (spec.bitsAllocated === 32) {
    for (let i = 0; i < n; i++) out[i] = dv.getUint32(byteOffset + 4 * i, littleEndian);
  }
  return out;
}

/**
 * Keeps the BitsStored bits at HighBit and sign-extends them when PixelRepresentation is 1
 * (PS3.5 8.1.1: bits outside BitsStored may hold overlays and must be ignored).
 * `shift` is 0 for codec output, whose samples are already aligned.
 */
function maskAndSign(values: Float64Array, bitsStored: number, shift: number, signed: boolean, bitsAllocated: number): void {
  const full = bitsStored >= bitsAllocated && shift === 0;
  const range = 2 ** bitsStored;
  const half = range / 2;
  const div = 2 ** shift;
  for (let i = 0; i < values.length; i++) {
    let v = values[i];
    if (v < 0) v += 2 ** bitsAllocated; // codec output already signed: back to two's complement
    if (!full) v = Math.floor(v / div) % range;
    if (signed && v >= half) v -= range;
    values[i] = v;
  }
}

function decodedToValues(frame: DecodedFrame): Float64Array {
  const out = new Float64Array(frame.samples.length);
  for (let i = 0; i < out.length; i++) out[i] = frame.samples[i];
  return out;
}

async function decodeFrameSamples(ds: DataSet, spec: PixelSpec, index: number, file?: string): Promise<FrameSamples> {
  const el = ds.elements[spec.pixelTag!];
  const pixels = spec.rows * spec.columns;
  const bytes = ds.byteArray as Uint8Array;
  const maxValue = spec.kind === 'integer' ? 2 ** spec.bitsStored - 1 : 1;
  const shift = spec.highBit + 1 - spec.bitsStored;
  let photometric = spec.photometric;
  let values: Float64Array;
  const encoding = spec.ts.encoding;
  if (encoding === 'native' || !el.encapsulatedPixelData) {
    if (el.encapsulatedPixelData) {
      throw new MedcolorError('ERR_DICOM_FRAGMENTS', 'pixel data is encapsulated but the transfer syntax is a native one', { file });
    }
    const ybr422 = spec.samplesPerPixel === 3 && (photometric === 'YBR_FULL_422' || photometric === 'YBR_PARTIAL_422');
    const frameBits = ybr422 ? pixels * 2 * 8 : pixels * spec.samplesPerPixel * spec.bitsAllocated;
    const startBits = el.dataOffset * 8 + index * frameBits;
    const available = Math.min(el.length, bytes.length - el.dataOffset) * 8;
    if ((index + 1) * frameBits > available) {
      throw new MedcolorError(
        'ERR_DICOM_TRUNCATED',
        `pixel data holds ${Math.floor(available / 8)} bytes; frame ${index} needs bytes up to ${Math.ceil(((index + 1) * frameBits) / 8)} ` +
          `(${spec.rows}x${spec.columns}x${spec.samplesPerPixel}, ${spec.bitsAllocated} bits, ${spec.frameCount} frame(s))`,
        { file },
      );
    }
    // 8-bit samples in an OW element of a big endian dataset are stored as swapped 16-bit words.
    const swap8 = !spec.ts.littleEndian && spec.bitsAllocated === 8 && el.vr === 'OW';
    values = readNativeSamples(bytes, startBits, spec, spec.ts.littleEndian, swap8);
    if (ybr422) photometric = 'YBR_FULL';
    else if (spec.samplesPerPixel === 3 && spec.planarConfiguration === 1) values = planarToInterleaved(values, pixels, 3);
    if (spec.kind === 'integer' && spec.bitsAllocated > 1) maskAndSign(values, spec.bitsStored, shift, spec.signed, spec.bitsAllocated);
    return { values, photometric, maxValue };
  }
  const frames = groupFragments(ds, el, spec, file);
  if (index >= frames.length) {
    throw new MedcolorError('ERR_DICOM_FRAME', `frame ${index} does not exist; the file has ${frames.length}`, { file });
  }
  const data = frames[index];
  if (encoding === 'rle' || encoding === 'deflate-frame') {
    const native =
      encoding === 'rle'
        ? decodeRleFrame(data, spec, file)
        : await inflateFrame(data, file);
    const need = Math.ceil((pixels * spec.samplesPerPixel * spec.bitsAllocated) / 8);
    if (native.length < need) {
      throw new MedcolorError('ERR_DICOM_TRUNCATED', `frame ${index} decoded to ${native.length} bytes; expected ${need}`, { file });
    }
    values = readNativeSamples(native, 0, { ...spec, photometric: 'RGB' }, true, false);
    // RLE frames are always color-by-plane internally but decoded here to interleaved;
    // deflated frames keep the dataset's PlanarConfiguration.
    if (encoding === 'deflate-frame' && spec.samplesPerPixel === 3 && spec.planarConfiguration === 1) {
      values = planarToInterleaved(values, pixels, 3);
    }
    if (spec.kind === 'integer' && spec.bitsAllocated > 1) maskAndSign(values, spec.bitsStored, shift, spec.signed, spec.bitsAllocated);
    return { values, photometric, maxValue };
  }
  const decoded = await decodeCompressedFrame(encoding, data, spec, file);
  if (decoded.width !== spec.columns || decoded.height !== spec.rows || decoded.components !== spec.samplesPerPixel) {
    throw new MedcolorError(
      'ERR_DICOM_DECODE',
      `codestream is ${decoded.width}x${decoded.height}x${decoded.components}; the header says ` +
        `${spec.columns}x${spec.rows}x${spec.samplesPerPixel}`,
      { file },
    );
  }
  values = decodedToValues(decoded);
  if (spec.samplesPerPixel === 3 && decoded.colorConverted) photometric = 'RGB';
  const sampleBits = decoded.bitsPerSample <= 8 ? 8 : 16;
  maskAndSign(values, Math.min(spec.bitsStored, sampleBits), 0, spec.signed, sampleBits);
  return { values, photometric, maxValue };
}

// ---------------------------------------------------------------------------------------------
// Color

/** YCbCr (full range, JPEG/JFIF, PS3.3 C.7.6.3.1.2) to RGB on 0..max samples, in place. */
function ybrFullToRgb(values: Float64Array, max: number): void {
  const mid = (max + 1) / 2;
  for (let i = 0; i < values.length; i += 3) {
    const y = values[i], cb = values[i + 1] - mid, cr = values[i + 2] - mid;
    values[i] = Math.min(max, Math.max(0, y + 1.402 * cr));
    values[i + 1] = Math.min(max, Math.max(0, y - 0.344136 * cb - 0.714136 * cr));
    values[i + 2] = Math.min(max, Math.max(0, y + 1.772 * cb));
  }
}

/** YCbCr partial range (ITU-R BT.601 studio swing) to RGB, 8-bit, in place. */
function ybrPartialToRgb(values: Float64Array): void {
  for (let i = 0; i < values.length; i += 3) {
    const y = 1.1644 * (values[i] - 16), cb = values[i + 1] - 128, cr = values[i + 2] - 128;
    values[i] = Math.min(255, Math.max(0, y + 1.596 * cr));
    values[i + 1] = Math.min(255, Math.max(0, y - 0.3918 * cb - 0.813 * cr));
    values[i + 2] = Math.min(255, Math.max(0, y + 2.0172 * cb));
  }
}

/** Expands a Segmented Palette Color LUT (PS3.3 C.7.9.2) to a plain table. */
function expandSegmentedLut(words: Uint16Array, entries: number, file?: string): Uint16Array {
  const out: number[] = [];
  const run = (seg: Uint16Array, depth: number) => {
    let i = 0;
    while (i + 1 < seg.length) {
      const op = seg[i], len = seg[i + 1];
      if (op === 0) {
        for (let k = 0; k < len; k++) out.push(seg[i + 2 + k]);
        i += 2 + len;
      } else if (op === 1) {
        const y0 = out.length > 0 ? out[out.length - 1] : 0;
        const y1 = seg[i + 2];
        for (let k = 1; k <= len; k++) out.push(Math.round(y0 + ((y1 - y0) * k) / len));
        i += 3;
      } else if (op === 2) {
        if (depth > 0) throw new MedcolorError('ERR_DICOM_INVALID_VALUE', 'nested indirect segment in a segmented palette', { file });
        const offset = seg[i + 2] | (seg[i + 3] << 16);
        // Copy `len` segments starting at word offset `offset` of the whole LUT.
        let j = offset;
        for (let s = 0; s < len && j + 1 < words.length; s++) {
          const sop = words[j], slen = words[j + 1];
          const size = sop === 0 ? 2 + slen : sop === 1 ? 3 : 4;
          run(words.subarray(j, j + size), depth + 1);
          j += size;
        }
        i += 4;
      } else {
        throw new MedcolorError('ERR_DICOM_INVALID_VALUE', `segmented palette has an unknown opcode ${op}`, { file });
      }
    }
  };
  run(words, 0);
  const table = new Uint16Array(entries);
  for (let i = 0; i < entries; i++) table[i] = out[Math.min(i, out.length - 1)] ?? 0;
  return table;
}

interface Palette {
  tables: [Uint16Array, Uint16Array, Uint16Array];
  firstMapped: number;
  max: number;
}

function readPalette(ds: DataSet, file?: string): Palette {
  const tables: Uint16Array[] = [];
  let firstMapped = 0;
  let bits = 16;
  const descs = [T.redDescriptor, T.greenDescriptor, T.blueDescriptor];
  const datas = [T.redData, T.greenData, T.blueData];
  const segs = [T.redSegmented, T.greenSegmented, T.blueSegmented];
  for (let c = 0; c < 3; c++) {
    const entriesRaw = getUint16(ds, descs[c], 0);
    if (entriesRaw === undefined) {
      throw new MedcolorError('ERR_DICOM_MISSING_ATTRIBUTE', `PALETTE COLOR image without palette descriptor ${tagName(descs[c])}`, { file });
    }
    const entries = entriesRaw === 0 ? 65536 : entriesRaw;
    firstMapped = getUint16(ds, descs[c], 1) ?? 0;
    bits = getUint16(ds, descs[c], 2) ?? 16;
    if (ds.elements[datas[c]]) {
      const lut = readLut(ds, descs[c], datas[c], false, file)!;
      tables.push(lut.data);
    } else if (ds.elements[segs[c]]) {
      tables.push(expandSegmentedLut(getWords(ds, segs[c]), entries, file));
    } else {
      throw new MedcolorError('ERR_DICOM_MISSING_ATTRIBUTE', `PALETTE COLOR image without palette data ${tagName(datas[c])}`, { file });
    }
  }
  // Some writers declare 16 bits but store 8-bit values.
  let peak = 0;
  for (const t of tables) for (let i = 0; i < t.length; i++) if (t[i] > peak) peak = t[i];
  const max = bits === 8 || peak < 256 ? 255 : 65535;
  return { tables: tables as Palette['tables'], firstMapped, max };
}

/** Turns a frame's samples into RGB in 0..1 (gamma-encoded sRGB), interleaved. */
function samplesToRgb01(ds: DataSet, spec: PixelSpec, fs: FrameSamples, file?: string, palette?: Palette): Float32Array {
  const pixels = spec.rows * spec.columns;
  const out = new Float32Array(pixels * 3);
  if (spec.photometric === 'PALETTE COLOR') {
    const p = palette ?? readPalette(ds, file);
    const [r, g, b] = p.tables;
    const last = r.length - 1;
    for (let i = 0; i < pixels; i++) {
      const k = Math.min(last, Math.max(0, fs.values[i] - p.firstMapped));
      out[3 * i] = r[k] / p.max;
      out[3 * i + 1] = g[k] / p.max;
      out[3 * i + 2] = b[k] / p.max;
    }
    return out;
  }
  const v = fs.values;
  const max = fs.maxValue;
  if (fs.photometric === 'YBR_FULL' || fs.photometric === 'YBR_ICT' || fs.photometric === 'YBR_RCT') ybrFullToRgb(v, max);
  else if (fs.photometric === 'YBR_PARTIAL_422' || fs.photometric === 'YBR_PARTIAL_420') ybrPartialToRgb(v);
  for (let i = 0; i < out.length; i++) out[i] = v[i] / max;
  return out;
}

// Linear-light luminance weights of sRGB (D65), the Y row of the RGB -> XYZ matrix in color/lab.ts.
const WR = 0.2126729, WG = 0.7151522, WB = 0.072175;

// ---------------------------------------------------------------------------------------------
// Public API

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

function describe(ds: DataSet, source?: string): DicomInfo {
  const spec = readPixelSpec(ds, source);
  const attrs = spec.kind === 'integer' && spec.samplesPerPixel === 1 ? safeAttributes(ds, spec, source) : undefined;
  const top = readWindows(ds, source);
  return {
    source,
    sopClassUid: getString(ds, T.sopClass),
    modality: getString(ds, T.modality),
    rows: spec.rows,
    columns: spec.columns,
    samplesPerPixel: spec.samplesPerPixel,
    bitsAllocated: spec.bitsAllocated,
    bitsStored: spec.bitsStored,
    highBit: spec.highBit,
    signed: spec.signed,
    photometric: spec.photometric,
    planarConfiguration: spec.planarConfiguration,
    frameCount: spec.frameCount,
    transferSyntaxUid: spec.ts.uid,
    transferSyntaxName: spec.ts.name,
    decodable: spec.ts.encoding !== 'unsupported',
    hasPixelData: !!spec.pixelTag || !!ds.elements[T.pixelData],
    pixelDataKind: spec.pixelTag ? spec.kind : undefined,
    rescaleSlope: attrs?.slope,
    rescaleIntercept: attrs?.intercept,
    rescaleType: attrs?.rescaleType,
    hasModalityLutSequence: !!ds.elements[T.modalityLutSeq],
    windows: attrs?.windows ?? top.windows,
    voiLutFunction: attrs?.voiLutFunction ?? top.fn,
    hasVoiLutSequence: !!ds.elements[T.voiLutSeq],
    pixelSpacing: readPixelSpacing(ds, 0),
    patientName: getString(ds, 'x00100010'),
    studyDescription: getString(ds, 'x00081030'),
    seriesDescription: getString(ds, 'x0008103e'),
  };
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

const isColor = (spec: PixelSpec) => spec.samplesPerPixel === 3 || spec.photometric === 'PALETTE COLOR';

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
  const modality = getString(ds, T.modality);
  const color = isColor(spec);
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
    const pixels = spec.rows * spec.columns;
    const data = new Float32Array(pixels);
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
      const rgb = samplesToRgb01(ds, spec, fs, file, palette);
      for (let i = 0; i < pixels; i++) {
        const y = WR * srgbToLinear(rgb[3 * i]) + WG * srgbToLinear(rgb[3 * i + 1]) + WB * srgbToLinear(rgb[3 * i + 2]);
        data[i] = 255 * linearToSrgb(Math.min(1, Math.max(0, y)));
      }
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
    const v = fs.values;
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
      units = getString(getItems(ds, T.modalityLutSeq)[0], T.modalityLutType) ?? '';
      valueRange = modalityRange(spec, attrs);
    } else {
      const { slope, intercept } = attrs;
      for (let i = 0; i < pixels; i++) data[i] = v[i] * slope + intercept;
      valueRange = modalityRange(spec, attrs);
      units = attrs.rescaleType ?? (modality === 'CT' ? 'HU' : '');
      if (units === 'US') units = ''; // "unspecified"
    }
    if (spec.bitsAllocated === 1) valueRange = [0, 1];
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
  if (!isColor(spec)) {
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
