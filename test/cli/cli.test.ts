import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { srgb8ToL, srgbToLinear, yToL } from '../../src/color/lab.js';
import { grayToL } from '../../src/image/window.js';
import { readDicom, readDicomInfo, readDicomRgb } from '../../src/io/dicom/index.js';
import { readNifti } from '../../src/io/nifti-file.js';
import { buildFixtureModel } from '../pipeline/onnx-fixture.js';
import { daikonFile, hasSharedData, sharedData } from '../fixtures.js';
import { runMedcolor } from '../run-cli.js';

const niftiFile = sharedData('nifti/nibabel-debian/anatomical.nii');
const tmp = mkdtempSync(join(tmpdir(), 'medcolor-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[]) => runMedcolor(args, { cwd: tmp, bin: true });

async function pngL(file: string): Promise<{ L: Float32Array; width: number; height: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { L: srgb8ToL(new Uint8Array(data)), width: info.width, height: info.height };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('medcolor colorize (spawned)', () => {
  it('colorizes a DICOM and a PNG, keeps L*, reports a bad file and goes on (exit 1)', async () => {
    const inDir = join(tmp, 'in');
    mkdirSync(join(inDir, 'sub'), { recursive: true });
    copyFileSync(daikonFile('implicit_little.dcm'), join(inDir, 'mr.dcm'));
    writeFileSync(join(inDir, 'sub', 'broken.dcm'), Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), Buffer.alloc(40, 7)]));
    const [mr] = await readDicom(daikonFile('implicit_little.dcm'));
    const Lmr = grayToL(mr);
    // A gray PNG made from the CT's display values.
    const [ct] = await readDicom(daikonFile('rle.dcm'));
    const Lct = grayToL(ct);
    const px = new Uint8Array(Lct.length).map((_, i) => Math.round(Lct[i] * 2.55));
    await sharp(px, { raw: { width: ct.width, height: ct.height, channels: 1 } }).png().toFile(join(inDir, 'sub', 'ct.png'));

    const out = join(tmp, 'out');
    const r = await run(['colorize', 'in', '-o', 'out', '--method', 'lut', '--palette', 'hot-iron', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.method).toBe('lut');
    expect(doc.ok).toBe(2);
    expect(doc.failed).toBe(1);
    const bad = doc.files.find((f: { input: string }) => f.input.endsWith('broken.dcm'));
    expect(bad.ok).toBe(false);
    expect(bad.code).toMatch(/^ERR_/);
    // Folder layout kept; every output has the input's size and L*.
    expect(existsSync(join(out, 'mr.png'))).toBe(true);
    expect(existsSync(join(out, 'sub', 'ct.png'))).toBe(true);
    const o1 = await pngL(join(out, 'mr.png'));
    expect([o1.width, o1.height]).toEqual([mr.width, mr.height]);
    expect(maxDiff(o1.L, Lmr)).toBeLessThan(0.6);
    const o2 = await pngL(join(out, 'sub', 'ct.png'));
    const Lpng = new Float32Array(px.length);
    {
      // The L* of the 8-bit gray PNG itself (what the raster reader shows the method).
      const gray3 = new Uint8Array(px.length * 3);
      for (let i = 0; i < px.length; i++) gray3[3 * i] = gray3[3 * i + 1] = gray3[3 * i + 2] = px[i];
      Lpng.set(srgb8ToL(gray3));
    }
    // A gray PNG is shown as its own gray levels: the output keeps exactly that L*.
    expect(maxDiff(o2.L, Lpng)).toBeLessThan(0.6);
    // Color happened: hot-iron gives red/orange mid-tones.
    const { data } = await sharp(join(out, 'mr.png')).raw().toBuffer({ resolveWithObject: true });
    let redder = 0;
    for (let i = 0; i < data.length; i += 3) if (data[i] > data[i + 2] + 30) redder++;
    expect(redder).toBeGreaterThan(1000);
  });

  it('runs a model given by path, one PNG per frame of a multi-frame DICOM', async () => {
    const model = join(tmp, 'fixture.onnx');
    writeFileSync(model, buildFixtureModel({ metadata: { 'medcolor.input_size': '64' } }));
    const r = await run(['colorize', daikonFile('explicit_little.dcm'), '-o', 'frames', '--model', model, '--frame', '3', '-q']);
    expect(r.stderr).toContain('1 ok, 0 failed');
    expect(r.code).toBe(0);
    const files = readdirSync(join(tmp, 'frames'));
    expect(files).toEqual(['explicit_little.png']);
    const frames = await readDicom(daikonFile('explicit_little.dcm'));
    const o = await pngL(join(tmp, 'frames', files[0]));
    expect(maxDiff(o.L, grayToL(frames[3]))).toBeLessThan(0.6);
  });

  it('--format dcm: one RGB Secondary Capture per input with one frame per input frame, L* kept', async () => {
    const r = await run(['colorize', daikonFile('explicit_little.dcm'), '-o', 'sc', '--format', 'dcm', '--method', 'lut', '--palette', 'pet', '-q']);
    expect(r.code).toBe(0);
    const out = join(tmp, 'sc', 'explicit_little.dcm');
    const info = await readDicomInfo(out);
    expect(info.photometric).toBe('RGB');
    expect(info.samplesPerPixel).toBe(3);
    expect(info.sopClassUid).toBe('1.2.840.10008.5.1.4.1.1.7.4'); // Multi-frame True Color SC
    const src = await readDicom(daikonFile('explicit_little.dcm'));
    const rgb = await readDicomRgb(out);
    expect(rgb).toHaveLength(src.length);
    expect(src.length).toBe(16);
    for (const k of [0, 7, 15]) {
      expect([rgb[k].width, rgb[k].height]).toEqual([src[k].width, src[k].height]);
      expect(maxDiff(srgb8ToL(rgb[k].data), grayToL(src[k]))).toBeLessThan(0.6);
    }
  });

  it('exit codes: 2 for usage errors, 3 for an unknown model, 0 for --help', async () => {
    const [a, b, c] = await Promise.all([
      run(['colorize', 'x.png', '-o', 'o', '--format', 'jpg']),
      run(['colorize', daikonFile('rle.dcm'), '-o', 'o', '--model', 'no-such-model']),
      run(['eval', '--help']),
    ]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--format must be png, dcm or nii');
    expect(b.code).toBe(3);
    expect(b.stderr).toContain('ERR_MODEL_NOT_FOUND');
    expect(b.stderr).toContain('shipped models');
    expect(c.code).toBe(0);
    expect(c.stdout).toContain('--report <file.html>');
  });

  it('--hint-propagation: only for a hint-taking model, one of hinted, automatic, none', async () => {
    const ct = daikonFile('rle.dcm');
    const [a, b, c, d] = await Promise.all([
      run(['colorize', ct, '-o', 'o', '--model', 'blood', '--hint-propagation', 'automatic']),
      run(['colorize', ct, '-o', 'o', '--model', 'fundus', '--hint-propagation', 'sideways']),
      run(['colorize', ct, '-o', 'o', '--method', 'lut', '--hint-propagation', 'none']),
      run(['colorize', ct, '-o', 'hp', '--model', 'fundus', '--hint-propagation', 'none', '-q']),
    ]);
    expect([a.code, b.code, c.code]).toEqual([2, 2, 2]);
    expect(a.stderr).toContain('--hint-propagation applies to a hint-taking model; model blood takes no hints');
    expect(b.stderr).toContain('--hint-propagation must be one of hinted, automatic, none; found "sideways"');
    expect(c.stderr).toContain('--hint-propagation goes with --method model');
    expect(d.code, d.stderr).toBe(0);
    expect(readdirSync(join(tmp, 'hp'))).toEqual(['rle.png']);
  });
});

describe.skipIf(!hasSharedData('nifti/nibabel-debian/anatomical.nii'))('medcolor colorize NIfTI (shared/data)', () => {
  it('writes a NIfTI RGB24 volume whose every voxel keeps the input L*', async () => {
    const r = await run(['colorize', niftiFile, '-o', 'nii', '--format', 'nii', '--method', 'lut', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.files[0].kind).toBe('nifti');
    const outFile = join(tmp, 'nii', 'anatomical.nii');
    const header = readFileSync(outFile);
    expect(header.readInt16LE(70)).toBe(128); // datatype RGB24
    const input = await readNifti(niftiFile);
    const output = await readNifti(outFile); // RGB24 read back as the sRGB gray of the same L*
    expect(output.slices).toHaveLength(input.slices.length);
    let max = 0;
    for (let k = 0; k < input.slices.length; k++) {
      const Lin = grayToL(input.slices[k]);
      const g = output.slices[k].data;
      for (let i = 0; i < g.length; i++) max = Math.max(max, Math.abs(yToL(srgbToLinear(g[i] / 255)) - Lin[i]));
    }
    expect(max).toBeLessThan(0.6);
    // --format nii with a single --frame is refused for that file (exit 1), png is fine.
    const bad = await run(['colorize', niftiFile, '-o', 'nii2', '--format', 'nii', '--frame', '3', '--method', 'gray', '-q']);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toContain('needs every slice');
    const png = await run(['colorize', niftiFile, '-o', 'nii3', '--frame', '3', '--method', 'gray', '-q']);
    expect(png.code).toBe(0);
    expect(readdirSync(join(tmp, 'nii3'))).toEqual(['anatomical.png']);
  });
});

describe('medcolor eval and prepare (spawned)', () => {
  it('eval writes the JSON summary and HTML report; prepare writes a dataset', async () => {
    const colors = join(tmp, 'colors');
    mkdirSync(colors, { recursive: true });
    const tints = [
      { r: 200, g: 60, b: 40 },
      { r: 40, g: 160, b: 90 },
      { r: 60, g: 80, b: 210 },
    ];
    for (const [k, t] of tints.entries()) {
      await sharp({ create: { width: 64, height: 48, channels: 3, background: t } })
        .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: { r: 240, g: 230, b: 40 } } }, left: 8, top: 8 }])
        .png()
        .toFile(join(colors, `c${k}.png`));
    }
    const model = join(tmp, 'fixture-eval.onnx');
    writeFileSync(model, buildFixtureModel({ metadata: { 'medcolor.input_size': '16' } }));
    const [ev, prep, evModel] = await Promise.all([
      run(['eval', 'colors', '--method', 'gray', '--size', '32', '--json', 'eval.json', '--report', 'eval.html', '-q']),
      run(['prepare', 'colors', '-o', 'ds', '--size', '32', '--split', '1,0,0', '-q']),
      run(['eval', join(colors, 'c*.png'), '--model', model, '--json', '-q']),
    ]);
    // A model given by path, on a glob, at full resolution, JSON on stdout.
    expect(evModel.code).toBe(0);
    const sm = JSON.parse(evModel.stdout);
    expect(sm.method).toBe('model');
    expect(sm.model).toBe(model);
    expect(sm.size).toBeNull();
    expect(sm.n).toBe(3);
    expect(sm.mean.colorfulness).toBeGreaterThan(1); // the fixture model adds chroma
    expect(sm.mean.psnr).not.toBeCloseTo(sm.baseline.gray.psnr, 3);
    expect(ev.code).toBe(0);
    const s = JSON.parse(readFileSync(join(tmp, 'eval.json'), 'utf8'));
    expect(s.method).toBe('gray');
    expect(s.model).toBeNull();
    expect(s.size).toBe(32);
    expect(s.n).toBe(3);
    expect(s.images.map((i: { file: string }) => i.file)).toEqual(['c0.png', 'c1.png', 'c2.png']);
    for (const k of ['psnr', 'ssim', 'deltaE2000', 'colorfulness', 'colorfulnessGap']) {
      expect(typeof s.mean[k]).toBe('number');
      expect(s.baseline.gray[k]).toBeCloseTo(s.mean[k], 10);
    }
    expect(s.mean.psnr).toBeLessThan(25); // gray vs saturated colors
    expect(s.mean.deltaE2000).toBeGreaterThan(15);
    expect(ev.stdout).toContain('gray baseline');
    const html = readFileSync(join(tmp, 'eval.html'), 'utf8');
    expect(html.match(/data:image\/png;base64,/g)).toHaveLength(9);

    expect(prep.code).toBe(0);
    expect(prep.stdout).toContain('train 3, val 0, test 0');
    const manifest = JSON.parse(readFileSync(join(tmp, 'ds', 'manifest.json'), 'utf8'));
    expect(manifest.size).toBe(32);
    expect(manifest.splits.train.count).toBe(3);
  });
});
