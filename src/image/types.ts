/**
 * Image types shared by every part of medcolor. Pixel data is contiguous, interleaved and
 * row-major; conversion to NCHW float32 happens only at the model boundary.
 */

/** One VOI window (DICOM Window Center / Width), in the units of the modality values. */
export interface VoiWindow {
  center: number;
  width: number;
  explanation?: string;
}

/** A DICOM VOI LUT (0028,3010) item: first mapped value, output bits, table. */
export interface VoiLut {
  firstMapped: number;
  bits: number;
  data: Uint16Array | Float32Array;
}

/** Metadata needed to display a gray image correctly, and to trace where it came from. */
export interface GrayMeta {
  /** DICOM modality (CT, MR, CR, ...), or e.g. 'OT' for a raster file. */
  modality?: string;
  photometric?: 'MONOCHROME1' | 'MONOCHROME2' | string;
  /** Units of `data`: 'HU' for calibrated CT, otherwise free text ('', 'US', ...). */
  units?: string;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  /** All windows of the file in order; the first is the default. */
  windows?: VoiWindow[];
  /** VOI LUT Function (0028,1056): LINEAR (default), LINEAR_EXACT or SIGMOID. */
  voiLutFunction?: 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';
  voiLut?: VoiLut;
  /** Row spacing, column spacing in mm. */
  pixelSpacing?: [number, number];
  bitsAllocated?: number;
  bitsStored?: number;
  signed?: boolean;
  frameIndex?: number;
  frameCount?: number;
  transferSyntax?: string;
  /** The file it was read from. */
  source?: string;
  /** The smallest and largest value the source could hold (for display without a window). */
  valueRange?: [number, number];
  /** Anything else a reader wants to keep (e.g. the DICOM dataset for writing a derived object). */
  extra?: Record<string, unknown>;
}

/**
 * A gray image holding physical values (Hounsfield units after the modality LUT, raw MR
 * intensities, 8/16-bit raster values, ...) as float32.
 */
export interface GrayImage {
  width: number;
  height: number;
  data: Float32Array;
  meta: GrayMeta;
}

/** 8-bit sRGB (gamma-encoded), interleaved RGB, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** CIELAB (D65) image, interleaved L*, a*, b* as float32; L* in [0, 100]. */
export interface LabImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** A planar single-channel float image (e.g. L* in [0,100], or one chroma channel). */
export interface Plane {
  width: number;
  height: number;
  data: Float32Array;
}

/** A stack of gray slices with voxel spacing (x, y, z in mm) and optional 4x4 affine. */
export interface Volume {
  slices: GrayImage[];
  spacing: [number, number, number];
  affine?: number[][];
  source?: string;
}
