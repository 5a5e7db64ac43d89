/**
 * sRGB <-> CIELAB conversion speed on a 2048x2048 RGB image: medcolor's table-driven batch
 * functions (src/color/lab.ts) against libvips through sharp, and against medcolor's own exact
 * scalar path (Math.cbrt, Math.pow), all measured in the same run.
 *
 *   npx tsx bench/lab.ts [--size 2048] [--reps 5]
 *
 * Prints the median wall time and process CPU time of each variant, the ratio medcolor / sharp,
 * and the accuracy of each path (round-trip error, difference between the two Lab results).
 * sharp runs once single-threaded (a like-for-like comparison with one JS thread) and once with
 * its default thread pool (when that is more than one thread). On a shared machine, trust the
 * CPU-time ratio more than the wall-time one.
 */
import sharp from 'sharp';
import {
  labToLinearRgb, labToSrgb8, linearRgbToLab, linearToSrgb, srgb8ToLab, srgbToLinear,
} from '../src/color/lab.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SIZE = arg('size', 2048);
const REPS = arg('reps', 5);

interface Timing { wall: number; cpu: number }

/** Median wall and CPU milliseconds over REPS runs, after one warm-up run. */
async function time(fn: () => unknown): Promise<Timing> {
  await fn();
  const walls: number[] = [], cpus: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const med = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1];
  return { wall: med(walls), cpu: med(cpus) };
}

// Seeded random pixels: every code value, no spatial coherence a cache could exploit.
const rgb = new Uint8Array(SIZE * SIZE * 3);
let s = 2048;
for (let i = 0; i < rgb.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; rgb[i] = s >>> 24; }
const raw = { raw: { width: SIZE, height: SIZE, channels: 3 as const } };

// The exact scalar path: what lab.ts did before its lookup tables.
function exactToLab(src: Uint8Array, out: Float32Array): void {
  for (let i = 0; i < src.length; i += 3) {
    linearRgbToLab(srgbToLinear(src[i] / 255), srgbToLinear(src[i + 1] / 255), srgbToLinear(src[i + 2] / 255), out, i);
  }
}
function exactToSrgb8(lab: Float32Array, out: Uint8Array): void {
  const t = [0, 0, 0];
  for (let i = 0; i < lab.length; i += 3) {
    labToLinearRgb(lab[i], lab[i + 1], lab[i + 2], t, 0);
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(linearToSrgb(t[c] <= 0 ? 0 : t[c] >= 1 ? 1 : t[c]) * 255);
  }
}

const lab = new Float32Array(rgb.length);
const back = new Uint8Array(rgb.length);
const labExact = new Float32Array(rgb.length);
const backExact = new Uint8Array(rgb.length);

const mcFwd = await time(() => srgb8ToLab(rgb, lab));
const mcBack = await time(() => labToSrgb8(lab, back));
const exFwd = await time(() => exactToLab(rgb, labExact));
const exBack = await time(() => exactToSrgb8(labExact, backExact));

const defaultThreads = sharp.concurrency();
const sharpRuns: { threads: number; fwd: Timing; rt: Timing; copy: Timing }[] = [];
let sharpLab = new Float32Array(0);
let sharpBack = new Uint8Array(0);
for (const threads of defaultThreads === 1 ? [1] : [1, defaultThreads]) {
  sharp.concurrency(threads);
  const fwd = await time(async () => {
    const buf = await sharp(rgb, raw).toColourspace('lab').raw({ depth: 'float' }).toBuffer();
    sharpLab = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  });
  // sharp cannot tag a raw float buffer as Lab, so its inverse is timed as a round trip:
  // the pipeline converts the input to Lab and the output back to sRGB.
  const rt = await time(async () => {
    const buf = await sharp(rgb, raw).pipelineColourspace('lab').toColourspace('srgb').raw().toBuffer();
    sharpBack = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  });
  const copy = await time(() => sharp(rgb, raw).raw().toBuffer());
  sharpRuns.push({ threads, fwd, rt, copy });
}
sharp.concurrency(defaultThreads);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m += Math.abs(a[i] - b[i]);
  return m / a.length;
}

const px = SIZE * SIZE;
const f = (t: Timing) => `${t.wall.toFixed(1).padStart(7)} ms wall ${t.cpu.toFixed(1).padStart(7)} ms cpu`;
const mp = (t: Timing) => `${((px / t.wall) / 1000).toFixed(1)} Mpx/s`;
console.log(`sRGB <-> CIELAB, ${SIZE}x${SIZE} random RGB (${(px / 1e6).toFixed(2)} Mpx), median of ${REPS} after warm-up`);
console.log(`node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, sharp default threads ${defaultThreads}`);
console.log('');
console.log(`medcolor srgb8ToLab          ${f(mcFwd)}  ${mp(mcFwd)}`);
console.log(`medcolor labToSrgb8          ${f(mcBack)}  ${mp(mcBack)}`);
const mcRt = { wall: mcFwd.wall + mcBack.wall, cpu: mcFwd.cpu + mcBack.cpu };
console.log(`medcolor round trip          ${f(mcRt)}`);
console.log(`exact scalar path -> Lab     ${f(exFwd)}   (medcolor is ${(exFwd.wall / mcFwd.wall).toFixed(1)}x faster)`);
console.log(`exact scalar path -> sRGB    ${f(exBack)}   (medcolor is ${(exBack.wall / mcBack.wall).toFixed(1)}x faster)`);
for (const r of sharpRuns) {
  console.log('');
  console.log(`sharp, ${r.threads} thread(s):`);
  console.log(`  raw copy (overhead)        ${f(r.copy)}`);
  console.log(`  -> Lab float               ${f(r.fwd)}  ${mp(r.fwd)}`);
  console.log(`  round trip sRGB-Lab-sRGB   ${f(r.rt)}`);
  console.log(`  ratio medcolor/sharp (< 1: medcolor faster): -> Lab ${(mcFwd.wall / r.fwd.wall).toFixed(2)} wall, ${(mcFwd.cpu / r.fwd.cpu).toFixed(2)} cpu;`
    + ` round trip ${(mcRt.wall / r.rt.wall).toFixed(2)} wall, ${(mcRt.cpu / r.rt.cpu).toFixed(2)} cpu`);
}
console.log('');
console.log('accuracy:');
console.log(`  medcolor round trip: max |rgb - back| = ${maxAbsDiff(rgb, back)} (codes), exact path ${maxAbsDiff(rgb, backExact)}`);
console.log(`  sharp round trip:    max |rgb - back| = ${maxAbsDiff(rgb, sharpBack)} (codes)`);
console.log(`  medcolor tables vs exact scalar Lab: max ${maxAbsDiff(lab, labExact).toExponential(2)}`);
console.log(`  medcolor vs libvips Lab: max ${maxAbsDiff(lab, sharpLab).toFixed(4)}, mean ${meanAbsDiff(lab, sharpLab).toFixed(4)}`
  + ' (libvips uses its own sRGB matrix and white; both are D65 CIELAB)');
