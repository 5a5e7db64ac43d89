/**
 * NIfTI-1 files built byte by byte from the header layout of the NIfTI-1 specification
 * (nifti1.h), for tests that need volumes the shared data does not have: .hdr/.img pairs,
 * complex datatypes, real DICOM pixels stacked into a volume.
 */

/** What goes into the header. */
export interface NiftiSpec {
  /** Voxel counts along i, j, k (and t). */
  dims: number[];
  /** NIfTI datatype code (2 uint8, 4 int16, 16 float32, 32 complex64, 1792 complex128, ...). */
  datatype: number;
  bitpix: number;
  /** Voxel data, little-endian, i fastest. */
  data: Uint8Array;
  pixdim?: number[];
  sclSlope?: number;
  sclInter?: number;
  /** Byte order of the header (and, the caller's business, of `data`); default little-endian. */
  bigEndian?: boolean;
}

function header(spec: NiftiSpec, pair: boolean): Uint8Array {
  const h = new Uint8Array(348);
  const raw = new DataView(h.buffer);
  const le = !spec.bigEndian;
  const dv = {
    setInt32: (o: number, v: number) => raw.setInt32(o, v, le),
    setInt16: (o: number, v: number) => raw.setInt16(o, v, le),
    setFloat32: (o: number, v: number) => raw.setFloat32(o, v, le),
  };
  dv.setInt32(0, 348); // sizeof_hdr
  dv.setInt16(40, spec.dims.length);
  spec.dims.forEach((d, i) => dv.setInt16(42 + 2 * i, d));
  for (let i = spec.dims.length; i < 7; i++) dv.setInt16(42 + 2 * i, 1);
  dv.setInt16(70, spec.datatype);
  dv.setInt16(72, spec.bitpix);
  const pix = spec.pixdim ?? spec.dims.map(() => 1);
  dv.setFloat32(76, 1); // qfac
  pix.forEach((p, i) => dv.setFloat32(80 + 4 * i, p));
  dv.setFloat32(108, pair ? 0 : 352); // vox_offset
  dv.setFloat32(112, spec.sclSlope ?? 1);
  dv.setFloat32(116, spec.sclInter ?? 0);
  h[123] = 2; // xyzt_units: mm
  dv.setInt16(252, 1); // qform_code: scanner
  h.set(new TextEncoder().encode(pair ? 'ni1\0' : 'n+1\0'), 344);
  return h;
}

/** A single-file .nii (header, 4 empty extension bytes, voxels at offset 352). */
export function buildNifti(spec: NiftiSpec): Uint8Array {
  const out = new Uint8Array(352 + spec.data.length);
  out.set(header(spec, false));
  out.set(spec.data, 352);
  return out;
}

/** An .hdr/.img pair (magic ni1, vox_offset 0). */
export function buildNiftiPair(spec: NiftiSpec): { hdr: Uint8Array; img: Uint8Array } {
  return { hdr: header(spec, true), img: spec.data.slice() };
}
