import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { srgb8ToLab } from '../../src/color/lab.js';
import { createRng, planCrop } from '../../src/train/augment.js';
import { assignSplit, makeBatch, openDataset, prepareDataset } from '../../src/train/dataset.js';
import { hasSharedData, sharedData } from '../fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-ds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A 16x16 image with distinct colors per pixel (seeded). */
function patternPixels(seed: number, w = 16, h = 16): Uint8Array {
  const rng = createRng(seed);
  const px = new Uint8Array(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = Math.floor(rng() * 256);
  return px;
}

async function writePng(file: string, px: Uint8Array, w: number, h: number, channels: 1 | 3 = 3): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  await sharp(px, { raw: { width: w, height: h, channels } }).png().toFile(file);
}

const src = join(tmp, 'src');
const pixels = new Map<string, Uint8Array>();

beforeAll(async () => {
  for (let k = 0; k < 12; k++) {
    const px = patternPixels(k + 1);
    pixels.set(`img${String(k).padStart(2, '0')}.png`, px);
    await writePng(join(src, `img${String(k).padStart(2, '0')}.png`), px, 16, 16);
  }
  // Already split: keeps its folder's split whatever its hash.
  const px = patternPixels(100);
  pixels.set('test/held-out.png', px);
  await writePng(join(src, 'test', 'held-out.png'), px, 16, 16);
  // Gray (r=g=b), corrupt, duplicate.
  const gray = new Uint8Array(16 * 16).map((_, i) => i);
  await writePng(join(src, 'gray.png'), gray, 16, 16, 1);
  writeFileSync(join(src, 'broken.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6]));
  writeFileSync(join(src, 'zz-copy.png'), readFileSync(join(src, 'img03.png')));
});

describe('prepareDataset / openDataset', () => {
  it('stores L and a*b* to their quantization, splits by content hash, skips gray/corrupt/duplicate files', async () => {
    const out = join(tmp, 'ds');
    const report = await prepareDataset(src, out, { size: 16, split: [0.5, 0.25, 0.25] });
    expect(report.skipped.map((s) => s.file).sort()).toEqual(['broken.png', 'gray.png', 'zz-copy.png']);
    expect(report.skipped.find((s) => s.file === 'gray.png')!.reason).toMatch(/^gray/);
    expect(report.skipped.find((s) => s.file === 'broken.png')!.reason).toMatch(/^cannot decode/);
    expect(report.skipped.find((s) => s.file === 'zz-copy.png')!.reason).toBe('duplicate of img03.png');
    const total = report.counts.train + report.counts.val + report.counts.test;
    expect(total).toBe(13);

    const ds = openDataset(out);
    try {
      expect(ds.size).toBe(16);
      expect(statSync(join(out, 'train.bin')).size).toBe(report.counts.train * 16 * 16 * 6);
      // Independent split check: SHA-256 of the file bytes, first 32 bits.
      for (const split of ['train', 'val', 'test'] as const) {
        for (const [i, f] of ds.manifest.splits[split].files.entries()) {
          const sha = createHash('sha256').update(readFileSync(join(src, f.file))).digest('hex');
          expect(f.sha256).toBe(sha);
          const u = parseInt(sha.slice(0, 8), 16) / 2 ** 32;
          const expected = f.file.startsWith('test/') ? 'test' : u < 0.5 ? 'train' : u < 0.75 ? 'val' : 'test';
          expect(split).toBe(expected);
          // Values: L* and a*b* of the original pixels, within storage quantization.
          const lab = srgb8ToLab(pixels.get(f.file)!);
          const s = ds.read(split, i);
          for (let p = 0; p < 256; p++) {
            expect(Math.abs(s.L[p] - lab[3 * p])).toBeLessThan(0.5 / 655.35 + 1e-4);
            expect(Math.abs(s.ab[p] - lab[3 * p + 1])).toBeLessThan(0.005 + 1e-4);
            expect(Math.abs(s.ab[256 + p] - lab[3 * p + 2])).toBeLessThan(0.005 + 1e-4);
          }
        }
      }
      expect(ds.manifest.splits.test.files.some((f) => f.file === 'test/held-out.png')).toBe(true);
      expect(() => ds.read('train', 99)).toThrow(/out of range/);
      expect(() => ds.read('nope', 0)).toThrow(/unknown split/);
    } finally {
      ds.close();
    }

    // Adding files never moves the ones already there.
    const px = patternPixels(200);
    await writePng(join(src, 'added.png'), px, 16, 16);
    const out2 = join(tmp, 'ds2');
    await prepareDataset(src, out2, { size: 16, split: [0.5, 0.25, 0.25] });
    const ds2 = openDataset(out2);
    for (const split of ['train', 'val', 'test'] as const) {
      const before = ds.manifest.splits[split].files.map((f) => f.file);
      const after = ds2.manifest.splits[split].files.map((f) => f.file);
      expect(after.filter((f) => f !== 'added.png')).toEqual(before);
    }
    ds2.close();
    rmSync(join(src, 'added.png'));
  });

  it('assignSplit follows folders first, then the hash', () => {
    expect(assignSplit('a/val/x.png', 'ffffffff', [1, 0, 0])).toBe('val');
    expect(assignSplit('validation/x.png', '00000000', [1, 0, 0])).toBe('val');
    expect(assignSplit('x.png', '00000000', [0.8, 0.1, 0.1])).toBe('train');
    expect(assignSplit('x.png', 'e0000000', [0.8, 0.1, 0.1])).toBe('val'); // 0.875
    expect(assignSplit('x.png', 'f0000000', [0.8, 0.1, 0.1])).toBe('test'); // 0.9375
  });
});

describe('makeBatch', () => {
  it('normalizes, crops and flips L and a*b* together', async () => {
    const out = join(tmp, 'ds-batch');
    await prepareDataset(src, out, { size: 16, split: [1, 0, 0] });
    const ds = openDataset(out);
    try {
      const idx = [0, 3, 2];
      const plain = makeBatch(ds, 'train', idx);
      expect(plain.n).toBe(3);
      expect(plain.size).toBe(16);
      for (let k = 0; k < 3; k++) {
        const s = ds.read('train', idx[k]);
        for (let p = 0; p < 256; p++) {
          expect(plain.L[k * 256 + p]).toBeCloseTo(s.L[p] / 50 - 1, 5);
          expect(plain.ab[2 * k * 256 + p]).toBeCloseTo(s.ab[p] / 110, 5);
          expect(plain.ab[(2 * k + 1) * 256 + p]).toBeCloseTo(s.ab[256 + p] / 110, 5);
        }
      }
      // Same seed -> same plans; check every output pixel against its source pixel.
      const c = 9;
      const batch = makeBatch(ds, 'train', idx, { crop: c, flip: true, rng: createRng(5) });
      expect(batch.size).toBe(c);
      expect(batch.L).toHaveLength(3 * c * c);
      const rng = createRng(5);
      const seenFlips = new Set<string>();
      for (let k = 0; k < 3; k++) {
        const plan = planCrop(16, { crop: c, flip: true, rng });
        seenFlips.add(`${plan.flipH}${plan.flipV}`);
        const s = ds.read('train', idx[k]);
        for (let y = 0; y < c; y++) {
          for (let x = 0; x < c; x++) {
            const sx = plan.x + (plan.flipH ? c - 1 - x : x);
            const sy = plan.y + (plan.flipV ? c - 1 - y : y);
            const sp = sy * 16 + sx, op = y * c + x;
            expect(batch.L[k * c * c + op]).toBeCloseTo(s.L[sp] / 50 - 1, 5);
            expect(batch.ab[2 * k * c * c + op]).toBeCloseTo(s.ab[sp] / 110, 5);
            expect(batch.ab[(2 * k + 1) * c * c + op]).toBeCloseTo(s.ab[256 + sp] / 110, 5);
          }
        }
      }
      expect(seenFlips.size).toBeGreaterThan(1);
      expect(() => makeBatch(ds, 'train', [0], { crop: 17 })).toThrow(RangeError);
    } finally {
      ds.close();
    }
  });

  it('assembles a batch of 16 full-size (256 px) records with crop and flips', async () => {
    const big = join(tmp, 'big');
    mkdirSync(big, { recursive: true });
    for (let k = 0; k < 16; k++) {
      await sharp({ create: { width: 300, height: 260, channels: 3, background: { r: 20 + 10 * k, g: 120, b: 200 - 5 * k } } })
        .png()
        .toFile(join(big, `c${k}.png`));
    }
    const out = join(tmp, 'ds-big');
    const rep = await prepareDataset(big, out, { size: 256, split: [1, 0, 0] });
    expect(rep.counts.train).toBe(16);
    const ds = openDataset(out);
    try {
      const idx = Array.from({ length: 16 }, (_, i) => i);
      // Speed is measured in bench/dataset.ts; here the content of a full-size batch.
      const b = makeBatch(ds, 'train', idx, { crop: 224, flip: true, rng: createRng(1) });
      expect(b.L.length).toBe(16 * 224 * 224);
      expect(b.ab.length).toBe(16 * 2 * 224 * 224);
      for (let k = 0; k < 16; k++) {
        // Each source image is one flat color: every cropped/flipped pixel has its record's value.
        const s0 = ds.read('train', k);
        const plane = b.L.subarray(k * 224 * 224, (k + 1) * 224 * 224);
        expect(Math.max(...plane) - Math.min(...plane)).toBeLessThan(1e-6);
        expect(plane[0]).toBeCloseTo(s0.L[0] / 50 - 1, 5);
        expect(b.ab[2 * k * 224 * 224 + 5]).toBeCloseTo(s0.ab[0] / 110, 4);
      }
    } finally {
      ds.close();
    }
  });
});

describe.skipIf(!hasSharedData('color/fundus-drive/val'))('prepare on real fundus photographs (shared/data)', () => {
  it('keeps the val split of the folder and stores strongly colored fundus images', async () => {
    const out = join(tmp, 'ds-fundus');
    const rep = await prepareDataset(sharedData('color/fundus-drive'), out, { size: 64, split: [0.8, 0.1, 0.1] });
    expect(rep.skipped).toEqual([]);
    expect(rep.counts).toEqual({ train: 20, val: 20, test: 0 });
    const ds = openDataset(out);
    try {
      // Fundus photographs are red-orange: mean a* clearly positive and b* positive.
      let sa = 0, sb = 0, n = 0;
      for (let i = 0; i < ds.splits.val.count; i++) {
        const s = ds.read('val', i);
        for (let p = 0; p < 64 * 64; p++) {
          if (s.L[p] > 10) {
            sa += s.ab[p];
            sb += s.ab[64 * 64 + p];
            n++;
          }
        }
      }
      expect(sa / n).toBeGreaterThan(15);
      expect(sb / n).toBeGreaterThan(10);
    } finally {
      ds.close();
    }
  });
});
