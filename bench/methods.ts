/**
 * Speed of the classical colorization methods at 512x512 and 2048x2048, ms per image, on a
 * synthetic CT-like phantom (body ellipse, lungs, fat rim, organs, contrast vessels, spine, noise)
 * with its Hounsfield image for `ct-tissue`. Reference measured in the same run: the
 * recombination lAbToSrgb8 (L*, a*b* -> 8-bit sRGB) of the same image, which every colorization
 * pays; the table prints each method's time as a multiple of it.
 *
 *   npx tsx bench/methods.ts [--sizes 512,2048] [--reps 1] [--strokes 30]
 *
 * The color reference for transfer / welsh / kmeans is the first file of the sorted
 * ../shared/data/color/endoscopy-kvasir/train list when present (resized to the image size),
 * else a synthetic warm image.
 */
import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { labToSrgb8, lAbToSrgb8, srgb8ToLab } from '../src/color/lab.js';
import type { GrayImage, RgbImage } from '../src/image/types.js';
import { getMethod } from '../src/methods/registry.js';
import { simulateHints } from '../src/methods/hints.js';
import type { MethodOptions } from '../src/methods/types.js';
import { sharedData } from '../test/fixtures.js';
import { benchArg as arg, median } from './lib/bench-args.js';

const SIZES = arg('--sizes', '512,2048').split(',').map(Number);
const REPS = Number(arg('--reps', '1'));
const STROKES = Number(arg('--strokes', '30'));
const refDir = sharedData('color/endoscopy-kvasir/train');

/** A CT-like phantom in HU and its soft-tissue window (W 400, L 40) as L*, plus a plausible a*b*. */
function makePhantom(size: number): { hu: GrayImage; L: Float32Array; ab: Float32Array } {
  const n = size * size;
  const hu = new Float32Array(n), L = new Float32Array(n), ab = new Float32Array(2 * n);
  let s = 12345;
  const rand = (): number => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296 - 0.5; };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = (x / size) * 2 - 1, v = (y / size) * 2 - 1;
      const body = (u / 0.85) ** 2 + (v / 0.65) ** 2;
      let h = -1000, a = 0, b = 0;
      if (body < 1) {
        h = body > 0.8 ? -100 : 45; a = body > 0.8 ? 5 : 25; b = body > 0.8 ? 40 : 15; // fat rim, soft tissue
        for (const cx of [-0.4, 0.4]) if (((u - cx) / 0.3) ** 2 + ((v + 0.05) / 0.4) ** 2 < 1) { h = -800; a = 20; b = 5; } // lungs
        if (Math.hypot(u - 0.05, v + 0.1) < 0.09) { h = 250; a = 45; b = 20; } // contrast vessel
        if (Math.hypot(u, v - 0.45) < 0.12) { h = 700; a = 2; b = 15; } // vertebra
      }
      h += 15 * rand() + 8 * Math.sin(x / 13) * Math.cos(y / 17);
      const i = y * size + x;
      hu[i] = h;
      L[i] = Math.max(0, Math.min(100, ((h - (40 - 200)) / 400) * 100));
      ab[2 * i] = a; ab[2 * i + 1] = b;
    }
  }
  return { hu: { width: size, height: size, data: hu, meta: { modality: 'CT', units: 'HU' } }, L, ab };
}

async function loadReference(size: number): Promise<{ ref: RgbImage; from: string }> {
  if (existsSync(refDir)) {
    const first = readdirSync(refDir).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort()[0];
    if (first) {
      const { data, info } = await sharp(path.join(refDir, first)).removeAlpha().resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
      return { ref: { width: info.width, height: info.height, data: new Uint8Array(data) }, from: `kvasir train/${first}` };
    }
  }
  const lab = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    const t = (i % size) / size;
    lab.set([30 + 50 * t, 35 - 15 * t, 20 + 25 * t], 3 * i);
  }
  return { ref: { width: size, height: size, data: labToSrgb8(lab) }, from: 'synthetic' };
}


async function timeIt(f: () => Promise<unknown> | unknown, reps: number): Promise<number> {
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  return median(t);
}

async function main(): Promise<void> {
  console.log(`# bench/methods: node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  // Warm-up at a small size so JIT compilation is not timed.
  {
    const w = makePhantom(64);
    const { ref } = await loadReference(64);
    for (const m of ['lut', 'ct-tissue', 'transfer', 'welsh', 'kmeans', 'scribble']) {
      await getMethod(m).colorize({ width: 64, height: 64, L: w.L, gray: w.hu }, { reference: ref, strokes: simulateHints(w.ab, 64, 64, { count: 5 }), k: 4 });
    }
  }
  const rows: string[] = [];
  for (const size of SIZES) {
    const ph = makePhantom(size);
    const { ref, from } = await loadReference(size);
    const strokes = simulateHints(ph.ab, size, size, { count: STROKES, seed: 1 });
    const input = { width: size, height: size, L: ph.L, gray: ph.hu };
    const zeroAb = new Float32Array(2 * size * size);
    const refMs = await timeIt(() => lAbToSrgb8(ph.L, zeroAb), Math.max(3, REPS));
    rows.push(`| ${size} | reference: lAbToSrgb8 recombination | ${refMs.toFixed(1)} | 1.0 |`);
    const cases: [string, MethodOptions, string][] = [
      ['gray', {}, ''],
      ['lut', { palette: 'hot-iron', mode: 'preserve' }, 'hot-iron, preserve'],
      ['lut', { palette: 'pet', mode: 'classic' }, 'pet, classic'],
      ['ct-tissue', {}, ''],
      ['transfer', { reference: ref }, `reference ${from}`],
      ['welsh', { reference: ref, seed: 1 }, '200 samples'],
      ['kmeans', { k: 5, seed: 1 }, 'k = 5, palette'],
      ['kmeans', { seed: 1 }, 'automatic k (2..8), palette'],
      ['kmeans', { k: 5, reference: ref, seed: 1 }, 'k = 5, reference'],
    ];
    for (const [name, opts, note] of cases) {
      const ms = await timeIt(() => getMethod(name).colorize(input, opts), REPS);
      rows.push(`| ${size} | ${name}${note ? ` (${note})` : ''} | ${ms.toFixed(1)} | ${(ms / refMs).toFixed(1)} |`);
      console.error(`${size} ${name} ${note}: ${ms.toFixed(0)} ms`);
    }
    let stats = '';
    const ms = await timeIt(() => getMethod('scribble').colorize(input, {
      strokes, onStats: (s: { iterations: number[]; relResidual: number[] }) => { stats = `CG iterations a*/b* ${s.iterations.join('/')}, rel. residual ${s.relResidual.map((v) => v.toExponential(1)).join('/')}`; },
    }), REPS);
    rows.push(`| ${size} | scribble (${STROKES} simulated strokes; ${stats}) | ${ms.toFixed(1)} | ${(ms / refMs).toFixed(1)} |`);
    console.error(`${size} scribble: ${ms.toFixed(0)} ms (${stats})`);
    if (from !== 'synthetic') {
      // The same on the real color reference turned gray, strokes from its own colors.
      const lab = srgb8ToLab(ref.data);
      const Lr = new Float32Array(size * size), abr = new Float32Array(2 * size * size);
      for (let i = 0; i < size * size; i++) { Lr[i] = lab[3 * i]; abr[2 * i] = lab[3 * i + 1]; abr[2 * i + 1] = lab[3 * i + 2]; }
      const rs = simulateHints(abr, size, size, { count: STROKES, seed: 1 });
      const msr = await timeIt(() => getMethod('scribble').colorize({ width: size, height: size, L: Lr }, {
        strokes: rs, onStats: (s: { iterations: number[]; relResidual: number[] }) => { stats = `CG iterations a*/b* ${s.iterations.join('/')}`; },
      }), REPS);
      rows.push(`| ${size} | scribble on ${from} as gray (${STROKES} strokes; ${stats}) | ${msr.toFixed(1)} | ${(msr / refMs).toFixed(1)} |`);
      console.error(`${size} scribble real: ${msr.toFixed(0)} ms (${stats})`);
    }
  }
  console.log('\n| size | method | ms / image | x reference |\n|---|---|---|---|');
  for (const r of rows) console.log(r);
  console.log(`\nload average after: ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
}

await main();
