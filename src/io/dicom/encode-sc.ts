/**
 * DICOM encoding with dcmjs: colorized results as Secondary Capture (RGB), and gray images as
 * CT / Secondary Capture (MONOCHROME2, 16-bit signed with rescale), to bytes. Explicit VR Little
 * Endian. Browser-safe (UIDs from the Web Crypto API); the file wrappers are in write-sc.ts.
 */
import dcmjs from 'dcmjs';
import { MedcolorError } from '../../errors.js';
import type { GrayImage, GrayMeta, RgbImage } from '../../image/types.js';

const SC_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';
const MF_TRUE_COLOR_SC_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7.4';
const MF_GRAY_BYTE_SC_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7.2';
const CT_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.2';
const EXPLICIT_LE = '1.2.840.10008.1.2.1';
/** medcolor's implementation class UID (a fixed 2.25 UUID-derived UID). */
const IMPLEMENTATION_CLASS_UID = '2.25.302485955434640417961237125624451893021';
const IMPLEMENTATION_VERSION = 'MEDCOLOR_0_1';

/**
 * A new globally unique UID in the 2.25.<UUID as decimal integer> form (PS3.5 B.2).
 *
 * @example
 * createUid(); // '2.25.1735...'
 */
export function createUid(): string {
  return `2.25.${BigInt(`0x${globalThis.crypto.randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** Options of `writeDicomSecondaryCapture`. */
export interface SecondaryCaptureOptions {
  /** Colorization method name (goes into DerivationDescription). Required. */
  method: string;
  /** Model name/version, when a model was used. */
  model?: string;
  /** Series description; default "<source series description> colorized (<method>)". */
  seriesDescription?: string;
  /** Series number; default 1000 + the source series number (or 1000). */
  seriesNumber?: number;
  /** SOP Instance UID to use (e.g. a deterministic one from deriveUid); default a new random UID. */
  sopInstanceUid?: string;
  /** Series Instance UID to use; default a new random UID. */
  seriesInstanceUid?: string;
  /**
   * Frames of one 8-bit channel (MONOCHROME2; `data` holds width x height bytes) instead of RGB:
   * Secondary Capture, or Multi-frame Grayscale Byte SC for several frames. Default false.
   */
  monochrome?: boolean;
  /** DerivationDescription; default "Colorized by medcolor with method ...". */
  derivation?: string;
}

function identityOf(meta: GrayMeta | undefined): Record<string, string> {
  const d = (meta?.extra?.dicom ?? {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(d)) if (typeof v === 'string') out[k] = v;
  return out;
}

function nowDicom(): { date: string; time: string } {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}`,
    time: `${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`,
  };
}

/** DA from old ACR-NEMA style 'YYYY.MM.DD' to 'YYYYMMDD'; anything else not a DA becomes empty. */
function toDA(v: string | undefined): string {
  if (!v) return '';
  const t = v.replace(/[.-]/g, '');
  return /^\d{8}$/.test(t) ? t : '';
}
/** TM from 'HH:MM:SS.frac' to 'HHMMSS.frac'; anything else not a TM becomes empty. */
function toTM(v: string | undefined): string {
  if (!v) return '';
  const t = v.replace(/:/g, '');
  return /^\d{2,6}(\.\d{1,6})?$/.test(t) ? t : '';
}

/** Patient and study modules copied from the source (Type 2 attributes present even when empty). */
function patientStudy(id: Record<string, string>): Record<string, unknown> {
  const ds: Record<string, unknown> = {
    PatientName: id.PatientName ?? '',
    PatientID: id.PatientID ?? '',
    PatientBirthDate: toDA(id.PatientBirthDate),
    PatientSex: id.PatientSex ?? '',
    StudyInstanceUID: id.StudyInstanceUID ?? createUid(),
    StudyDate: toDA(id.StudyDate),
    StudyTime: toTM(id.StudyTime),
    ReferringPhysicianName: id.ReferringPhysicianName ?? '',
    StudyID: id.StudyID ?? '',
    AccessionNumber: id.AccessionNumber ?? '',
  };
  for (const k of ['SpecificCharacterSet', 'PatientAge', 'StudyDescription'] as const) if (id[k]) ds[k] = id[k];
  return ds;
}

function fileMeta(sopClass: string, sopInstance: string): Record<string, unknown> {
  return {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: sopClass,
    MediaStorageSOPInstanceUID: sopInstance,
    TransferSyntaxUID: EXPLICIT_LE,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION,
  };
}

function encodeDataset(dataset: Record<string, unknown>, file?: string): Uint8Array {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  const meta = dataset._meta as Record<string, unknown>;
  const body = { ...dataset };
  delete body._meta;
  let bytes: ArrayBuffer;
  try {
    const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = DicomMetaDictionary.denaturalizeDataset(body);
    bytes = dict.write();
  } catch (e) {
    throw new MedcolorError('ERR_DICOM_WRITE', `the dataset could not be encoded (${(e as Error).message})`, { file, cause: e });
  }
  return new Uint8Array(bytes);
}

/**
 * Encodes colorized frames as a DICOM Secondary Capture: one frame -> Secondary Capture Image
 * Storage, several -> Multi-frame True Color SC. RGB, 8 bits, PlanarConfiguration 0, new SOP
 * Instance and Series UIDs, patient/study copied from `source` (meta.extra.dicom of a frame read by
 * readDicom), ImageType DERIVED\SECONDARY, DerivationDescription naming method and model,
 * ConversionType WSD, PixelSpacing kept. Explicit VR Little Endian.
 *
 * @example
 * const [ct] = decodeDicom(bytes);
 * const { bytes: out } = encodeDicomSecondaryCapture([rgb], ct.meta, { method: 'model', model: 'unet-ct v1' });
 */
export function encodeDicomSecondaryCapture(
  frames: RgbImage[],
  source: GrayMeta | undefined,
  options: SecondaryCaptureOptions,
  file?: string,
): { bytes: Uint8Array; sopInstanceUid: string; seriesInstanceUid: string } {
  if (frames.length === 0) throw new MedcolorError('ERR_DICOM_WRITE', 'no frames to write; expected at least one RGB image', { file });
  if (!options?.method) throw new MedcolorError('ERR_DICOM_WRITE', "options.method is required (it is recorded in DerivationDescription)", { file });
  const { width, height } = frames[0];
  const samples = options.monochrome ? 1 : 3;
  for (const [i, f] of frames.entries()) {
    if (f.width !== width || f.height !== height || f.data.length !== width * height * samples) {
      throw new MedcolorError(
        'ERR_IMAGE_SIZE',
        `frame ${i} is ${f.width}x${f.height} with ${f.data.length} bytes; expected ${width}x${height}x${samples} like frame 0`,
        { file },
      );
    }
  }
  const id = identityOf(source);
  const multi = frames.length > 1;
  const sopClass = multi ? (options.monochrome ? MF_GRAY_BYTE_SC_SOP_CLASS : MF_TRUE_COLOR_SC_SOP_CLASS) : SC_SOP_CLASS;
  const sopInstanceUid = options.sopInstanceUid ?? createUid();
  const seriesInstanceUid = options.seriesInstanceUid ?? createUid();
  const { date, time } = nowDicom();
  const frameBytes = width * height * samples;
  const pixels = new Uint8Array(frameBytes * frames.length + ((frameBytes * frames.length) % 2));
  frames.forEach((f, i) => pixels.set(f.data, i * frameBytes));
  const sourceSeriesNumber = Number(id.SeriesNumber);
  const derivation = options.derivation ??
    `Colorized by medcolor with method '${options.method}'${options.model ? `, model '${options.model}'` : ''}; ` +
    'CIELAB L* kept from the source display (window/VOI applied), chroma predicted';
  const ds: Record<string, unknown> = {
    _meta: fileMeta(sopClass, sopInstanceUid),
    _vrMap: { PixelData: 'OB' },
    ...patientStudy(id),
    ImageType: ['DERIVED', 'SECONDARY'],
    SOPClassUID: sopClass,
    SOPInstanceUID: sopInstanceUid,
    ContentDate: date,
    ContentTime: time,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    Modality: source?.modality ?? id.Modality ?? 'OT',
    ConversionType: 'WSD',
    SecondaryCaptureDeviceManufacturer: 'medcolor',
    SecondaryCaptureDeviceManufacturerModelName: 'medcolor',
    SecondaryCaptureDeviceSoftwareVersions: IMPLEMENTATION_VERSION,
    SeriesInstanceUID: seriesInstanceUid,
    SeriesNumber: String(options.seriesNumber ?? (Number.isFinite(sourceSeriesNumber) ? 1000 + sourceSeriesNumber : 1000)),
    SeriesDescription: (options.seriesDescription ?? `${id.SeriesDescription ? `${id.SeriesDescription} ` : ''}colorized (${options.method})`).slice(0, 64),
    InstanceNumber: id.InstanceNumber ?? '1',
    PatientOrientation: '',
    DerivationDescription: derivation.slice(0, 1024),
    BurnedInAnnotation: 'NO',
    SamplesPerPixel: samples,
    PhotometricInterpretation: options.monochrome ? 'MONOCHROME2' : 'RGB',
    ...(options.monochrome ? {} : { PlanarConfiguration: 0 }),
    Rows: height,
    Columns: width,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [pixels.buffer],
  };
  if (id.SOPClassUID && id.SOPInstanceUID) {
    ds.SourceImageSequence = [{ ReferencedSOPClassUID: id.SOPClassUID, ReferencedSOPInstanceUID: id.SOPInstanceUID }];
  }
  if (id.FrameOfReferenceUID) ds.FrameOfReferenceUID = id.FrameOfReferenceUID;
  if (source?.pixelSpacing) ds.PixelSpacing = source.pixelSpacing.map((v) => String(v));
  if (multi) {
    ds.NumberOfFrames = String(frames.length);
    // Frame Increment Pointer -> Frame Label Vector (0018,2002): one label per frame.
    ds.FrameIncrementPointer = 0x00182002;
    ds.FrameLabelVector = frames.map((_, i) => `frame ${i + 1}`);
  }
  return { bytes: encodeDataset(ds, file), sopInstanceUid, seriesInstanceUid };
}

/** Options of `writeDicomGray`. */
export interface DicomGrayOptions {
  /** Modality; 'CT' writes CT Image Storage, anything else Secondary Capture. Default meta.modality or 'OT'. */
  modality?: string;
  /** Patient/study/series attributes to set (e.g. { PatientName: 'PHANTOM^CT' }). */
  attributes?: Record<string, string>;
  /** Rescale slope/intercept for storage; default meta.rescaleSlope/Intercept, else 1 / 0. */
  rescaleSlope?: number;
  rescaleIntercept?: number;
}

/**
 * Encodes a gray image (physical values, e.g. HU) as a 16-bit signed MONOCHROME2 DICOM with
 * Rescale Slope/Intercept, its windows and pixel spacing. CT modality -> CT Image Storage.
 *
 * @example
 * const { bytes } = encodeDicomGray(phantom, { modality: 'CT', attributes: { PatientName: 'PHANTOM^CT' } });
 */
export function encodeDicomGray(img: GrayImage, options: DicomGrayOptions = {}, file?: string): { bytes: Uint8Array; sopInstanceUid: string } {
  const meta = img.meta ?? {};
  const modality = options.modality ?? meta.modality ?? 'OT';
  const slope = options.rescaleSlope ?? meta.rescaleSlope ?? 1;
  const intercept = options.rescaleIntercept ?? meta.rescaleIntercept ?? 0;
  if (!(slope !== 0 && Number.isFinite(slope) && Number.isFinite(intercept))) {
    throw new MedcolorError('ERR_DICOM_WRITE', `rescale slope ${slope} / intercept ${intercept} are not usable; expected a finite non-zero slope`, { file });
  }
  const n = img.width * img.height;
  const stored = new Int16Array(n + (n % 2));
  for (let i = 0; i < n; i++) {
    const v = Math.round((img.data[i] - intercept) / slope);
    if (v < -32768 || v > 32767) {
      throw new MedcolorError(
        'ERR_DICOM_WRITE',
        `value ${img.data[i]} at pixel ${i} does not fit 16-bit signed storage with slope ${slope} / intercept ${intercept}`,
        { file },
      );
    }
    stored[i] = v;
  }
  const ct = modality === 'CT';
  const sopClass = ct ? CT_SOP_CLASS : SC_SOP_CLASS;
  const sopInstanceUid = createUid();
  const { date, time } = nowDicom();
  const id = { ...identityOf(meta), ...(options.attributes ?? {}) };
  const windows = meta.windows ?? [];
  const ds: Record<string, unknown> = {
    _meta: fileMeta(sopClass, sopInstanceUid),
    _vrMap: { PixelData: 'OW' },
    ...patientStudy(id),
    ImageType: ct ? ['DERIVED', 'PRIMARY', 'AXIAL'] : ['DERIVED', 'SECONDARY'],
    SOPClassUID: sopClass,
    SOPInstanceUID: sopInstanceUid,
    ContentDate: date,
    ContentTime: time,
    Modality: modality,
    Manufacturer: id.Manufacturer ?? 'medcolor',
    SeriesInstanceUID: id.SeriesInstanceUID ?? createUid(),
    SeriesNumber: id.SeriesNumber ?? '1',
    InstanceNumber: id.InstanceNumber ?? '1',
    PatientOrientation: '',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: img.height,
    Columns: img.width,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    RescaleIntercept: String(intercept),
    RescaleSlope: String(slope),
    PixelData: [stored.buffer],
  };
  for (const k of ['SeriesDescription', 'BodyPartExamined', 'StudyDescription'] as const) if (id[k]) ds[k] = id[k];
  if (ct) {
    ds.RescaleType = 'HU';
    ds.FrameOfReferenceUID = id.FrameOfReferenceUID ?? createUid();
    ds.PositionReferenceIndicator = '';
    ds.ImagePositionPatient = (id.ImagePositionPatient ?? '0\\0\\0').split('\\');
    ds.ImageOrientationPatient = (id.ImageOrientationPatient ?? '1\\0\\0\\0\\1\\0').split('\\');
    ds.SliceThickness = id.SliceThickness ?? '';
    ds.KVP = '';
    ds.AcquisitionNumber = '1';
  } else {
    ds.ConversionType = 'WSD';
  }
  if (meta.pixelSpacing) ds.PixelSpacing = meta.pixelSpacing.map((v) => String(v));
  if (windows.length > 0) {
    ds.WindowCenter = windows.map((w) => String(w.center));
    ds.WindowWidth = windows.map((w) => String(w.width));
    if (windows.some((w) => w.explanation)) ds.WindowCenterWidthExplanation = windows.map((w) => w.explanation ?? '');
  }
  if (meta.voiLutFunction && meta.voiLutFunction !== 'LINEAR') ds.VOILUTFunction = meta.voiLutFunction;
  return { bytes: encodeDataset(ds, file), sopInstanceUid };
}
