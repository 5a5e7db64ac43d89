/**
 * NIfTI reading against nibabel 5.4 (values after scl_slope/scl_inter, computed once and stored
 * here), slicing along each axis, 4-D volume choice, .hdr/.img pairs and the RGB24 round trip.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as nifti from 'nifti-reader-js';
import { describe, expect, it } from 'vitest';
import { decodeNifti, type NiftiLayout } from '../../src/io/nifti.js';
import { buildNifti } from './nifti-builder.js';
import { readNifti, writeNiftiRgb24 } from '../../src/io/nifti-file.js';
import type { RgbImage, Volume } from '../../src/image/types.js';
import { hasSharedData, sharedData } from '../fixtures.js';

const dir = sharedData('nifti');
const haveData = hasSharedData('nifti');

// nibabel: np.asarray(img.dataobj, float64) (scaled); pts are [i, j, k, value] of volume 0; last is [t, i, j, k, value].
const REF: Record<string, { shape: number[]; pixdim: number[]; min: number; max: number; mean: number; pts: number[][]; last?: number[] }> = {
  'mricron-data/ch2.nii.gz': { shape: [181, 217, 181], pixdim: [1.0, 1.0, 1.0], min: 0.0, max: 254.0, mean: 44.611774, pts: [[0, 0, 0, 0.0], [90, 108, 90, 33.0], [60, 54, 90, 116.0]] },
  'mricron-data/ch2bet.nii.gz': { shape: [181, 217, 181], pixdim: [1.0, 1.0, 1.0], min: 0.0, max: 133.0, mean: 22.29897, pts: [[0, 0, 0, 0.0], [90, 108, 90, 33.0], [60, 54, 90, 116.0]] },
  'mricron-data/ch2better.nii.gz': { shape: [301, 370, 316], pixdim: [0.5, 0.5, 0.5], min: 0.0, max: 130.0, mean: 34.72327, pts: [[0, 0, 0, 0.0], [150, 185, 158, 62.0], [100, 92, 158, 85.0]] },
  'nibabel-debian/anatomical.nii': { shape: [33, 41, 25], pixdim: [2.0, 2.0, 2.0], min: -610.0, max: 30393.0, mean: 8401.066726, pts: [[0, 0, 0, 10712.0], [16, 20, 12, 11881.0], [11, 10, 12, 9068.0]] },
  'nibabel-debian/example4d.nii.gz': { shape: [128, 96, 24, 2], pixdim: [2.0, 2.0, 2.199999], min: 0.0, max: 1162.0, mean: 172.913944, pts: [[0, 0, 0, 0.0], [64, 48, 12, 265.0], [42, 24, 12, 547.0]], last: [1, 64, 48, 12, 266.0] },
  'nibabel-debian/example_nifti2.nii.gz': { shape: [32, 20, 12, 2], pixdim: [2.0, 2.0, 2.199999], min: 49.0, max: 742.0, mean: 450.748438, pts: [[0, 0, 0, 424.0], [16, 10, 6, 265.0], [10, 5, 6, 434.0]], last: [1, 16, 10, 6, 266.0] },
  'nibabel-debian/functional.nii': { shape: [17, 21, 3, 20], pixdim: [4.0, 4.0, 8.0], min: 762.5424365997314, max: 5538.065757632256, mean: 3626.280628, pts: [[0, 0, 0, 4004.137203], [8, 10, 1, 3865.765415], [5, 5, 1, 3920.209246]], last: [19, 8, 10, 1, 3910.858782] },
  'nibabel-debian/standard.nii.gz': { shape: [4, 5, 7], pixdim: [1.0, 3.0, 2.0], min: 0.0, max: 255.0, mean: 54.642857, pts: [[0, 0, 0, 0.0], [2, 2, 3, 0.0], [1, 1, 3, 0.0]] },
};

/** Voxel (i, j, k) of an axial Volume (rows are flipped: row = d2 - 1 - j). */
function voxelAxial(vol: Volume, i: number, j: number, k: number): number {
  const s = vol.slices[k];
  return s.data[(s.height - 1 - j) * s.width + i];
}
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-3 + 1e-6 * Math.abs(b);

describe.skipIf(!haveData)('readNifti on every shared NIfTI file (vs nibabel)', () => {
  it.each(Object.keys(REF))('%s', async (f) => {
    const r = REF[f];
    const vol = await readNifti(path.join(dir, f), { axis: 'axial' });
    expect(vol.slices.length).toBe(r.shape[2]);
    expect([vol.slices[0].width, vol.slices[0].height]).toEqual([r.shape[0], r.shape[1]]);
    for (let a = 0; a < 3; a++) expect(vol.spacing[a]).toBeCloseTo(r.pixdim[a], 5);
    for (const [i, j, k, v] of r.pts) expect(close(voxelAxial(vol, i, j, k), v), `${f} (${i},${j},${k})`).toBe(true);
    let lo = Infinity, hi = -Infinity, sum = 0, n = 0;
    for (const s of vol.slices) for (const v of s.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); sum += v; n++; }
    expect(close(lo, r.min) && close(hi, r.max)).toBe(true);
    expect(Math.abs(sum / n - r.mean)).toBeLessThan(1e-3 + 1e-6 * Math.abs(r.mean));
    // One shared display window for every slice of the volume.
    expect(vol.slices[0].meta.windows?.[0]).toEqual(vol.slices[vol.slices.length - 1].meta.windows?.[0]);
    if (r.last) {
      const [t, i, j, k, v] = r.last;
      const vt = await readNifti(path.join(dir, f), { volume: t });
      expect(close(voxelAxial(vt, i, j, k), v)).toBe(true);
      await expect(readNifti(path.join(dir, f), { volume: r.shape[3] })).rejects.toMatchObject({ code: 'ERR_NIFTI_VOLUME' });
    }
  });

  it('cuts coronal and sagittal slices of the same voxels', async () => {
    const f = path.join(dir, 'nibabel-debian/anatomical.nii');
    const [ax, co, sa] = await Promise.all([readNifti(f, { axis: 'axial' }), readNifti(f, { axis: 'coronal' }), readNifti(f, { axis: 0 })]);
    expect([co.slices.length, co.slices[0].width, co.slices[0].height]).toEqual([41, 33, 25]);
    expect([sa.slices.length, sa.slices[0].width, sa.slices[0].height]).toEqual([33, 41, 25]);
    const [i, j, k] = [11, 10, 12];
    const v = voxelAxial(ax, i, j, k);
    expect(v).toBe(9068);
    expect(co.slices[j].data[(25 - 1 - k) * 33 + i]).toBe(v);
    expect(sa.slices[i].data[(25 - 1 - k) * 41 + j]).toBe(v);
    await expect(readNifti(f, { axis: 'oblique' as never })).rejects.toMatchObject({ code: 'ERR_NIFTI_AXIS' });
  });

  it('reads an .hdr/.img pair', async () => {
    // Make a pair from a real .nii: header (magic ni1, vox_offset 0) + raw image.
    const src = readFileSync(path.join(dir, 'nibabel-debian/anatomical.nii'));
    const ab = src.buffer.slice(src.byteOffset, src.byteOffset + src.length);
    const h = nifti.readHeader(ab)!;
    const img = src.subarray(Math.floor(h.vox_offset));
    const hdr = Buffer.from(src.subarray(0, 348));
    hdr.write('ni1\0', 344, 'latin1');
    hdr.writeFloatLE(0, 108);
    const tmp = mkdtempSync(path.join(tmpdir(), 'medcolor-nifti-'));
    writeFileSync(path.join(tmp, 'pair.hdr'), hdr);
    writeFileSync(path.join(tmp, 'pair.img'), img);
    const vol = await readNifti(path.join(tmp, 'pair.img'));
    expect(voxelAxial(vol, 16, 20, 12)).toBe(11881);
  });

  it('writes RGB24 with the source geometry and reads it back exactly', async () => {
    const f = path.join(dir, 'nibabel-debian/anatomical.nii');
    const vol = await readNifti(f, { axis: 'coronal' });
    const rgb: RgbImage[] = vol.slices.map((s, k) => {
      const d = new Uint8Array(s.width * s.height * 3);
      for (let p = 0; p < s.data.length; p++) {
        d[3 * p] = (p * 7 + k) % 256;
        d[3 * p + 1] = Math.min(255, Math.max(0, Math.round(s.data[p] / 120)));
        d[3 * p + 2] = k;
      }
      return { width: s.width, height: s.height, data: d };
    });
    const tmp = mkdtempSync(path.join(tmpdir(), 'medcolor-nifti-'));
    for (const name of ['rgb.nii', 'rgb.nii.gz']) {
      const out = path.join(tmp, name);
      await writeNiftiRgb24(out, rgb, vol);
      let bytes = readFileSync(out);
      if (name.endsWith('.gz')) bytes = gunzipSync(bytes);
      const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
      const h = nifti.readHeader(ab)!;
      const layout = vol.slices[0].meta.extra!.nifti as NiftiLayout;
      expect(h.datatypeCode).toBe(128);
      expect(h.numBitsPerVoxel).toBe(24);
      expect(h.dims.slice(0, 4)).toEqual([3, 33, 41, 25]);
      expect(h.pixDims.slice(1, 4)).toEqual(layout.pixDims.slice(1, 4));
      expect(h.affine).toEqual(layout.affine);
      // Voxel (i, j, k) sits at row d3-1-k, column i of coronal slice j.
      const raw = new Uint8Array(nifti.readImage(h, ab));
      for (const [i, j, k] of [[0, 0, 0], [5, 7, 3], [32, 40, 24], [11, 10, 12]]) {
        const v = i + j * 33 + k * 33 * 41;
        const p = ((25 - 1 - k) * 33 + i) * 3;
        expect(Array.from(raw.subarray(3 * v, 3 * v + 3))).toEqual(Array.from(rgb[j].data.subarray(p, p + 3)));
      }
      // Reading it back as a volume gives one slice per input slice.
      const back = await readNifti(out, { axis: 'coronal' });
      expect(back.slices.length).toBe(41);
    }
  });
});

describe('decodeNifti byte orders (built from the header layout)', () => {
  it('reads int16 voxels with scl_slope/scl_inter the same in little- and big-endian files', async () => {
    const dims = [5, 4, 3];
    const n = dims[0] * dims[1] * dims[2];
    const raw = Int16Array.from({ length: n }, (_, v) => (v * 977) % 65536 - 32768);
    const bytes = (bigEndian: boolean) => {
      const d = new Uint8Array(2 * n);
      const dv = new DataView(d.buffer);
      raw.forEach((x, v) => dv.setInt16(2 * v, x, !bigEndian));
      return buildNifti({ dims, datatype: 4, bitpix: 16, data: d, sclSlope: 0.5, sclInter: -7, bigEndian });
    };
    const [le, be] = [await decodeNifti(bytes(false)), await decodeNifti(bytes(true))];
    for (const vol of [le, be]) {
      // Voxel (i, j, k) is raw[i + 5 j + 20 k]; rows are flipped.
      for (const [i, j, k] of [[0, 0, 0], [4, 3, 2], [2, 1, 1]]) expect(voxelAxial(vol, i, j, k)).toBe(raw[i + 5 * j + 20 * k] * 0.5 - 7);
    }
    expect(Array.from(be.slices[1].data)).toEqual(Array.from(le.slices[1].data));
  });
});
