/**
 * The Image Pixel module of a DICOM dataset (size, samples, bits, photometric, frames, transfer
 * syntax, which pixel data element) and the check that medcolor can decode it.
 * Browser-safe: no Node built-ins.
 */
import { MedcolorError } from '../../errors.js';
import { getString, getUint16, type DataSet } from './dataset.js';
import { TAG } from './tags.js';
import { getTransferSyntax, listSupportedTransferSyntaxes, type TransferSyntaxInfo } from './transfer-syntax.js';

/** The Image Pixel module's layout attributes, as read (defaults where absent). */
export interface PixelLayout {
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
}

/** Everything about the pixel data needed to decode it. */
export interface PixelSpec extends PixelLayout {
  ts: TransferSyntaxInfo;
  pixelTag?: string;
  kind: 'integer' | 'float32' | 'float64';
}

function readFrameCount(ds: DataSet, file?: string): number {
  const s = getString(ds, TAG.frames);
  if (s === undefined) return 1;
  if (!/^\s*[+]?\d+\s*$/.test(s)) {
    throw new MedcolorError('ERR_DICOM_INVALID_VALUE', `NumberOfFrames (0028,0008) is '${s}'; expected a positive integer`, {
      file,
    });
  }
  const n = Number(s);
  return n >= 1 ? n : 1;
}

/** Reads the Image Pixel module (defaults where attributes are absent); see `validatePixelSpec`. */
export function readPixelSpec(ds: DataSet, file?: string): PixelSpec {
  const tsUid = getString(ds, TAG.transferSyntax) ?? '1.2.840.10008.1.2';
  const ts = getTransferSyntax(tsUid);
  const pixelTag = [TAG.pixelData, TAG.floatPixelData, TAG.doublePixelData].find((t) => ds.elements[t]);
  const kind = pixelTag === TAG.floatPixelData ? 'float32' : pixelTag === TAG.doublePixelData ? 'float64' : 'integer';
  const rows = getUint16(ds, TAG.rows) ?? 0;
  const columns = getUint16(ds, TAG.columns) ?? 0;
  const bitsAllocated = getUint16(ds, TAG.bitsAllocated) ?? (kind === 'float64' ? 64 : kind === 'float32' ? 32 : 0);
  const bitsStored = getUint16(ds, TAG.bitsStored) ?? bitsAllocated;
  return {
    rows,
    columns,
    samplesPerPixel: getUint16(ds, TAG.samplesPerPixel) ?? 1,
    bitsAllocated,
    bitsStored,
    highBit: getUint16(ds, TAG.highBit) ?? bitsStored - 1,
    signed: (getUint16(ds, TAG.pixelRepresentation) ?? 0) === 1,
    photometric: getString(ds, TAG.photometric) ?? (kind === 'integer' ? '' : 'MONOCHROME2'),
    planarConfiguration: getUint16(ds, TAG.planar) ?? 0,
    frameCount: readFrameCount(ds, file),
    ts,
    pixelTag,
    kind,
  };
}

/** Checks that the pixel module can be decoded; throws a typed error naming what is not. */
export function validatePixelSpec(spec: PixelSpec, file?: string): void {
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

/** Whether the pixels are color (3 samples, or palette indices). */
export function isColorSpec(spec: PixelSpec): boolean {
  return spec.samplesPerPixel === 3 || spec.photometric === 'PALETTE COLOR';
}
