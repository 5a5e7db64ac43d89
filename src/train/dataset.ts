/**
 * Training datasets: `prepareDataset` turns a folder of color images into a compact binary
 * dataset (L* as input, a*b* as target), `openDataset` reads it back record by record and
 * `makeBatch` assembles normalized NCHW batches for the trainer.
 *
 * On-disk format (little-endian), folder DATASET:
 * - `manifest.json`: format, size, fit, record layout, per split the count and the files
 *   (relative path + SHA-256 of the file content) in record order, and the skipped files.
 * - `<split>.bin` for each split (train, val, test): fixed-size records, one per image, of
 *   size*size uint16 L (L* * 655.35), then size*size int16 a (a* * 100), then size*size int16 b
 *   (b* * 100). Record i starts at byte i * 6 * size * size, so any record is one positioned read.
 *
 * Geometry: `fit: 'cover'` (default) scales the short side to `size` and crops the center
 * (no distortion, edges lost); `fit: 'fill'` resizes to size x size (the whole image, aspect
 * changed; the convention of the evaluation tables in shared/data/README.md).
 *
 * Splits: files under `train/`, `val/` (or `valid/`, `validation/`) and `test/` folders of SRC keep
 * that split. Every other file goes by a hash of its content: u = first 32 bits of SHA-256 / 2^32,
 * train when u < p_train, val when u < p_train + p_val, else test. Adding files never moves others.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { endianness } from 'node:os';
import { join, relative, sep } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import { srgb8ToLab } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import { AB_SCALE } from '../models/contract.js';
import { planCrop, transformPlane, type PlanCropOptions } from './augment.js';

/** The three split names, in order. */
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Image file extensions `prepare` reads. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp'];

/** Storage quantization of L*: stored as uint16 round(L* * STORED_L_STEPS_PER_UNIT) (0..65535). */
export const STORED_L_STEPS_PER_UNIT = 655.35;
/**
 * Storage quantization of a*, b*: stored as int16 round(value * STORED_AB_STEPS_PER_UNIT)
 * (0.01 units). Not the model's a*b* scale: batches are normalized by contract.ts's AB_SCALE.
 */
export const STORED_AB_STEPS_PER_UNIT = 100;

/** Options of {@link prepareDataset}. */
export interface PrepareOptions {
  /** Side of the square records in pixels. Default 256. */
  size?: number;
  /** Fractions train, val, test (normalized to sum 1). Default [0.8, 0.1, 0.1]. */
  split?: [number, number, number];
  /** 'cover' (short side to size, center crop; default) or 'fill' (resize to size x size). */
  fit?: 'cover' | 'fill';
  /** An image whose largest chroma sqrt(a*^2 + b*^2) is below this is gray and skipped. Default 5. */
  grayThreshold?: number;
  /** Images decoded at the same time. Default 4. */
  concurrency?: number;
  /** Called after every file. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/** One stored file. */
export interface DatasetFile {
  /** Path relative to the source folder, with '/' separators. */
  file: string;
  sha256: string;
}

/** manifest.json of a prepared dataset. */
export interface DatasetManifest {
  format: 'medcolor-dataset';
  version: 1;
  size: number;
  fit: 'cover' | 'fill';
  record: { bytes: number; layout: string };
  splitFractions: [number, number, number];
  splits: Record<SplitName, { count: number; files: DatasetFile[] }>;
  skipped: { file: string; reason: string }[];
}

/** What {@link prepareDataset} did. */
export interface PrepareReport {
  dir: string;
  size: number;
  counts: Record<SplitName, number>;
  skipped: { file: string; reason: string }[];
}

function recordBytes(size: number): number {
  return size * size * 6;
}

function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const ent of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (ent.name.startsWith('.')) continue;
      const p = join(d, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (IMAGE_EXTENSIONS.some((e) => ent.name.toLowerCase().endsWith(e))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const FOLDER_SPLITS: Record<string, SplitName> = { train: 'train', val: 'val', valid: 'val', validation: 'val', test: 'test' };

/** The split a file goes to: its folder's when it sits under train/ val/ test/, else by content hash. */
export function assignSplit(relPath: string, sha256: string, fractions: [number, number, number]): SplitName {
  const parts = relPath.split('/');
  for (const p of parts.slice(0, -1)) {
    const s = FOLDER_SPLITS[p.toLowerCase()];
    if (s) return s;
  }
  const sum = fractions[0] + fractions[1] + fractions[2];
  const u = parseInt(sha256.slice(0, 8), 16) / 2 ** 32;
  if (u < fractions[0] / sum) return 'train';
  if (u < (fractions[0] + fractions[1]) / sum) return 'val';
  return 'test';
}

interface Encoded {
  record?: Uint8Array;
  reason?: string;
}

/** Decodes, resizes and converts one image to a record; or says why it is skipped. */
async function encodeImage(bytes: Uint8Array, size: number, fit: 'cover' | 'fill', grayThreshold: number): Promise<Encoded> {
  let data: Buffer;
  let info: OutputInfo;
  try {
    ({ data, info } = await sharp(bytes, { failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(size, size, { fit, position: 'centre' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true }));
  } catch (e) {
    return { reason: `cannot decode: ${(e as Error).message}` };
  }
  if (info.channels !== 3 || info.width !== size || info.height !== size) {
    return { reason: `unexpected decoded layout ${info.width}x${info.height}x${info.channels}` };
  }
  const lab = srgb8ToLab(new Uint8Array(data.buffer, data.byteOffset, data.length));
  const n = size * size;
  const rec = new Uint8Array(recordBytes(size));
  const L = new Uint16Array(rec.buffer, 0, n);
  const A = new Int16Array(rec.buffer, 2 * n, n);
  const B = new Int16Array(rec.buffer, 4 * n, n);
  let maxChroma2 = 0;
  for (let i = 0; i < n; i++) {
    const l = lab[3 * i], a = lab[3 * i + 1], b = lab[3 * i + 2];
    L[i] = Math.round(Math.min(100, Math.max(0, l)) * STORED_L_STEPS_PER_UNIT);
    A[i] = Math.round(a * STORED_AB_STEPS_PER_UNIT);
    B[i] = Math.round(b * STORED_AB_STEPS_PER_UNIT);
    const c2 = a * a + b * b;
    if (c2 > maxChroma2) maxChroma2 = c2;
  }
  if (Math.sqrt(maxChroma2) < grayThreshold) {
    return { reason: `gray: largest chroma ${Math.sqrt(maxChroma2).toFixed(2)} < ${grayThreshold}` };
  }
  return { record: rec };
}

/**
 * Prepares a dataset from a folder of color images (see the module comment for the format).
 * Written atomically: into temporary files in DATASET, renamed at the end.
 *
 * @example
 * const report = await prepareDataset('photos/', 'data/ds256', { size: 256 });
 * report.counts; // { train: 80, val: 10, test: 10 }
 */
export async function prepareDataset(srcDir: string, outDir: string, options: PrepareOptions = {}): Promise<PrepareReport> {
  const size = options.size ?? 256;
  const fit = options.fit ?? 'cover';
  const fractions = options.split ?? [0.8, 0.1, 0.1];
  const grayThreshold = options.grayThreshold ?? 5;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  if (!Number.isInteger(size) || size < 8 || size > 4096) {
    throw new MedcolorError('ERR_USAGE', `--size must be an integer in 8..4096; found ${size}`);
  }
  if (fractions.length !== 3 || fractions.some((f) => !(f >= 0)) || fractions[0] + fractions[1] + fractions[2] <= 0) {
    throw new MedcolorError('ERR_USAGE', `--split must be three non-negative fractions, e.g. 0.8,0.1,0.1; found ${fractions.join(',')}`);
  }
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) {
    throw new MedcolorError('ERR_FILE_NOT_FOUND', `expected a folder of color images; found nothing at ${srcDir}`);
  }
  const files = listImages(srcDir);
  mkdirSync(outDir, { recursive: true });
  const tag = `.tmp-${process.pid}-${Date.now()}`;
  const fds = {} as Record<SplitName, number>;
  const entries = { train: [], val: [], test: [] } as Record<SplitName, DatasetFile[]>;
  const skipped: { file: string; reason: string }[] = [];
  const seen = new Map<string, string>();
  for (const s of SPLIT_NAMES) fds[s] = openSync(join(outDir, `${s}.bin${tag}`), 'w');
  try {
    let done = 0;
    for (let start = 0; start < files.length; start += concurrency) {
      const chunk = files.slice(start, start + concurrency);
      // Decode in parallel, write in file order: the dataset does not depend on timing.
      const results = await Promise.all(
        chunk.map(async (abs) => {
          const bytes = new Uint8Array(readFileSync(abs));
          const sha256 = createHash('sha256').update(bytes).digest('hex');
          const rel = relative(srcDir, abs).split(sep).join('/');
          if (seen.has(sha256)) return { rel, sha256, enc: { reason: `duplicate of ${seen.get(sha256)}` } as Encoded };
          seen.set(sha256, rel);
          return { rel, sha256, enc: await encodeImage(bytes, size, fit, grayThreshold) };
        }),
      );
      for (const { rel, sha256, enc } of results) {
        if (enc.record) {
          const split = assignSplit(rel, sha256, fractions);
          writeSync(fds[split], enc.record);
          entries[split].push({ file: rel, sha256 });
        } else {
          skipped.push({ file: rel, reason: enc.reason ?? 'unknown' });
        }
        options.onProgress?.(++done, files.length, rel);
      }
    }
  } catch (e) {
    for (const s of SPLIT_NAMES) {
      closeSync(fds[s]);
      rmSync(join(outDir, `${s}.bin${tag}`), { force: true });
    }
    throw e;
  }
  for (const s of SPLIT_NAMES) closeSync(fds[s]);
  const manifest: DatasetManifest = {
    format: 'medcolor-dataset',
    version: 1,
    size,
    fit,
    record: {
      bytes: recordBytes(size),
      layout: `little-endian planes: L uint16 (L*·${STORED_L_STEPS_PER_UNIT}), a int16 (a*·${STORED_AB_STEPS_PER_UNIT}), b int16 (b*·${STORED_AB_STEPS_PER_UNIT})`,
    },
    splitFractions: fractions,
    splits: {
      train: { count: entries.train.length, files: entries.train },
      val: { count: entries.val.length, files: entries.val },
      test: { count: entries.test.length, files: entries.test },
    },
    skipped,
  };
  for (const s of SPLIT_NAMES) renameSync(join(outDir, `${s}.bin${tag}`), join(outDir, `${s}.bin`));
  const mtmp = join(outDir, `manifest.json${tag}`);
  writeFileSync(mtmp, JSON.stringify(manifest, null, 1) + '\n');
  renameSync(mtmp, join(outDir, 'manifest.json'));
  return {
    dir: outDir,
    size,
    counts: { train: entries.train.length, val: entries.val.length, test: entries.test.length },
    skipped,
  };
}

/** One record as stored: views into a buffer that the next read reuses. */
export interface RawRecord {
  L: Uint16Array;
  a: Int16Array;
  b: Int16Array;
}

/** One decoded sample. */
export interface Sample {
  /** L* (0..100), size*size, row-major. */
  L: Float32Array;
  /** Planar a* then b*, 2*size*size. */
  ab: Float32Array;
}

/** A prepared dataset opened for reading. */
export interface Dataset {
  dir: string;
  size: number;
  manifest: DatasetManifest;
  splits: Record<string, { count: number }>;
  /** Reads sample i of a split as float L* and planar a*b*. */
  read(split: string, i: number): Sample;
  /** Reads sample i as stored (views valid until the next readRaw/read). */
  readRaw(split: string, i: number): RawRecord;
  /** Closes the files. */
  close(): void;
}

/**
 * Opens a dataset made by {@link prepareDataset}.
 *
 * @example
 * const ds = openDataset('data/ds256');
 * const { L, ab } = ds.read('train', 0); // L* 0..100, a* plane then b* plane
 */
export function openDataset(dir: string): Dataset {
  const mpath = join(dir, 'manifest.json');
  if (!existsSync(mpath)) {
    throw new MedcolorError('ERR_DATASET', `expected a prepared dataset (manifest.json) in ${dir}; run \`medcolor prepare\` first`);
  }
  const manifest = JSON.parse(readFileSync(mpath, 'utf8')) as DatasetManifest;
  if (manifest.format !== 'medcolor-dataset' || manifest.version !== 1) {
    throw new MedcolorError('ERR_DATASET', `unsupported dataset format ${manifest.format} v${manifest.version}; expected medcolor-dataset v1`, { file: mpath });
  }
  if (endianness() !== 'LE') {
    throw new MedcolorError('ERR_DATASET', 'datasets are little-endian; this machine is big-endian');
  }
  const size = manifest.size;
  const n = size * size;
  const rb = recordBytes(size);
  const fds = new Map<string, number>();
  const splits: Record<string, { count: number }> = {};
  for (const s of SPLIT_NAMES) {
    const count = manifest.splits[s]?.count ?? 0;
    splits[s] = { count };
    const bin = join(dir, `${s}.bin`);
    if (count > 0) {
      const bytes = existsSync(bin) ? statSync(bin).size : -1;
      if (bytes !== count * rb) {
        throw new MedcolorError('ERR_DATASET', `${s}.bin should hold ${count} records of ${rb} bytes (${count * rb} bytes); found ${bytes < 0 ? 'no file' : `${bytes} bytes`}`, { file: bin });
      }
      fds.set(s, openSync(bin, 'r'));
    }
  }
  const buf = new Uint8Array(rb);
  const raw: RawRecord = {
    L: new Uint16Array(buf.buffer, 0, n),
    a: new Int16Array(buf.buffer, 2 * n, n),
    b: new Int16Array(buf.buffer, 4 * n, n),
  };
  const readRaw = (split: string, i: number): RawRecord => {
    const count = splits[split]?.count;
    if (count === undefined) {
      throw new MedcolorError('ERR_DATASET', `unknown split "${split}"; valid: ${SPLIT_NAMES.join(', ')}`);
    }
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new MedcolorError('ERR_DATASET', `index ${i} out of range for split ${split} (${count} records)`);
    }
    const fd = fds.get(split)!;
    const got = readSync(fd, buf, 0, rb, i * rb);
    if (got !== rb) throw new MedcolorError('ERR_DATASET', `short read of record ${i} in ${split}.bin`);
    return raw;
  };
  return {
    dir,
    size,
    manifest,
    splits,
    readRaw,
    read(split: string, i: number): Sample {
      const r = readRaw(split, i);
      const L = new Float32Array(n);
      const ab = new Float32Array(2 * n);
      for (let k = 0; k < n; k++) {
        L[k] = r.L[k] / STORED_L_STEPS_PER_UNIT;
        ab[k] = r.a[k] / STORED_AB_STEPS_PER_UNIT;
        ab[n + k] = r.b[k] / STORED_AB_STEPS_PER_UNIT;
      }
      return { L, ab };
    },
    close() {
      for (const fd of fds.values()) closeSync(fd);
      fds.clear();
    },
  };
}

/** Options of {@link makeBatch}: random square crop and flips, only when asked. */
export type BatchOptions = PlanCropOptions;

/** A training batch, NCHW float32, normalized as the model contract says. */
export interface Batch {
  /** [n,1,size,size], L* / 50 - 1. */
  L: Float32Array;
  /** [n,2,size,size], a*b* / AB_SCALE (contract.ts). */
  ab: Float32Array;
  n: number;
  /** Side of every sample (the crop when cropping). */
  size: number;
}

/**
 * Reads `indices` of a split into one normalized batch, with optional random crop and flips
 * (the same crop and flips for L and a*b* of a sample).
 *
 * @example
 * const rng = createRng(7);
 * const b = makeBatch(ds, 'train', [3, 14, 15, 92], { crop: 224, flip: true, rng });
 * b.L.length; // 4 * 224 * 224
 */
export function makeBatch(ds: Dataset, split: string, indices: number[], options: BatchOptions = {}): Batch {
  const c = options.crop ?? ds.size;
  const n = indices.length;
  const cc = c * c;
  const L = new Float32Array(n * cc);
  const ab = new Float32Array(n * 2 * cc);
  const lScale = 1 / (STORED_L_STEPS_PER_UNIT * 50);
  const abScale = 1 / (STORED_AB_STEPS_PER_UNIT * AB_SCALE);
  for (let k = 0; k < n; k++) {
    const plan = planCrop(ds.size, options);
    const r = ds.readRaw(split, indices[k]);
    transformPlane(r.L, ds.size, plan, L, k * cc, lScale, -1);
    transformPlane(r.a, ds.size, plan, ab, 2 * k * cc, abScale, 0);
    transformPlane(r.b, ds.size, plan, ab, (2 * k + 1) * cc, abScale, 0);
  }
  return { L, ab, n, size: c };
}
