/**
 * End-to-end colorization speed and memory: decode a gray PNG, colorize (model or classical
 * method), recombine with the input L*, encode a color PNG, at 512, 2048 and 4096 px. The
 * reference measured in the same run is decode + encode of the same image alone (what any tool
 * must pay). Methods and the reference are measured in interleaved rounds (one of each per
 * round), so load that comes and goes on a shared machine hits them alike; figures are medians.
 *
 *   npx tsx bench/pipeline.ts [--reps 5] [--sizes 512,2048,4096] [--model NAME|PATH]
 *       [--methods gray,lut,lut-classic,model,kmeans,welsh,scribble] [--no-memory]
 *
 * It prints three tables:
 * - time per image, one at a time, as a multiple of decode + encode (the model's inference, the
 *   time inside its colorize call in each run, is shown apart, and the rest of the same runs);
 * - where the time goes: decode, display L*, the method, the full-resolution recombination
 *   (upsample a*b*, fit the gamut at constant L*, CIELAB -> sRGB), encode; gray and lut run by
 *   value (once per distinct value of the integer image, colors looked up per pixel), and the
 *   last column times the per-pixel reference steps on the full-size planes;
 * - peak memory at the largest size: each method in a child process of its own, its peak
 *   resident memory beyond what the same process held before reading the image.
 *
 * The model is the named shipped one (else the default shipped one, else an untrained U-Net of
 * the shipped architecture exported by the training engine: same cost, meaningless colors).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { lookupByValue } from '../src/image/lookup-by-value.js';
import { resizeBilinear } from '../src/image/resize.js';
import { grayToLByValue } from '../src/image/window.js';
import type { GrayImage, RgbImage } from '../src/image/types.js';
import { getDefaultModelName, loadModel } from '../src/io/model-loader.js';
import { createModelMethod } from '../src/methods/model.js';
import { getMethod } from '../src/methods/registry.js';
import { simulateHints } from '../src/methods/hints.js';
import type { BatchColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions } from '../src/methods/types.js';
import { colorizeImages, toDisplayL } from '../src/pipeline/colorize.js';
import { readGrayInput } from '../src/io/read-any.js';
import { lAbToSrgb8 } from '../src/color/lab.js';
import { fitChromaToGamut } from '../src/color/gamut.js';
import { recombineToSrgb8 } from '../src/color/recombine.js';
import { colorizerForward, colorizerMetadata, type ColorizerConfig } from '../src/models/colorizer.js';
import '../src/nn/index.js';
import { exportInferenceModel } from '../src/nn/export.js';
import { Graph } from '../src/nn/graph.js';
import { BuildContext, ParamStore } from '../src/nn/params.js';
import { benchArg as arg, benchArgs as args, median } from './lib/bench-args.js';

const REPS = Number(arg('--reps', '5'));
const SIZES = arg('--sizes', '512,2048,4096').split(',').map(Number);
const MODEL = arg('--model', '');
const METHODS = arg('--methods', 'gray,lut,lut-classic,model,kmeans,welsh,scribble').split(',');
// Slow methods (seconds per image at 2048 px) are measured at the sizes listed here only.
const SLOW_MAX_SIZE = Number(arg('--slow-max-size', '2048'));
const SLOW = new Set(['welsh', 'scribble']);
const MEMORY = !args.includes('--no-memory');
const PEAK = args.indexOf('--peak-child');


/** A gray test image with structure at every scale (rings + gradient + noise), as PNG. */
async function makeGrayPng(dir: string, size: number): Promise<string> {
  const px = new Uint8Array(size * size);
  let s = 7;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const r = Math.hypot(x - size / 2, y - size / 2) / size;
      const v = 128 + 80 * Math.sin(r * 40) * Math.exp(-r * 2) + (x / size) * 40 - 20 + ((s >>> 24) - 128) / 16;
      px[y * size + x] = Math.max(0, Math.min(255, Math.round(v)));
    }
  }
  const f = join(dir, `gray-${size}.png`);
  await sharp(px, { raw: { width: size, height: size, channels: 1 } }).png().toFile(f);
  return f;
}

/** A warm color reference (for welsh / kmeans with a reference) drawn in code. */
async function makeReference(size: number): Promise<RgbImage> {
  const s = Math.min(size, 512);
  const rgb = new Uint8Array(s * s * 3);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      const i = 3 * (y * s + x), t = x / s, u = y / s;
      rgb[i] = 90 + 150 * t; rgb[i + 1] = 40 + 120 * t * u; rgb[i + 2] = 30 + 60 * (1 - u);
    }
  }
  return { width: s, height: s, data: rgb };
}

async function encode(img: RgbImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}

/** An untrained U-Net exported like the trainer does, with a batch dimension of `n`. */
function untrainedUnet(dir: string, n: number): string {
  const cfg: ColorizerConfig = { unet: { base: 32, depth: 3 }, loss: 'mse' };
  const store = new ParamStore();
  const g = new Graph('declare');
  colorizerForward(new BuildContext(g, 'train', store), { L: g.input('L', [1, 1, 256, 256]) }, cfg);
  store.initialize(0);
  const bytes = exportInferenceModel(store, { L: [n, 1, 256, 256] }, (ctx, ins) => colorizerForward(ctx, ins, cfg),
    colorizerMetadata(cfg, { 'medcolor.name': `untrained-unet-n${n}`, 'medcolor.input_size': '256' }));
  const f = join(dir, `unet-n${n}.onnx`);
  writeFileSync(f, bytes);
  return f;
}

interface Case { key: string; label: string; method: BatchColorizationMethod; options: MethodOptions }

async function buildCases(dir: string, size: number, keys = METHODS): Promise<Case[]> {
  const out: Case[] = [];
  for (const key of keys) {
    if (SLOW.has(key) && size > SLOW_MAX_SIZE) continue;
    if (key === 'gray') out.push({ key, label: 'gray', method: getMethod('gray'), options: {} });
    else if (key === 'lut') out.push({ key, label: 'lut (hot-iron, preserve)', method: getMethod('lut'), options: { palette: 'hot-iron' } });
    else if (key === 'lut-classic') out.push({ key, label: 'lut (pet, classic)', method: getMethod('lut'), options: { palette: 'pet', mode: 'classic' } });
    else if (key === 'kmeans') out.push({ key, label: 'kmeans (k = 5, palette)', method: getMethod('kmeans'), options: { k: 5, seed: 1 } });
    else if (key === 'welsh') out.push({ key, label: 'welsh (reference)', method: getMethod('welsh'), options: { reference: await makeReference(size), seed: 1 } });
    else if (key === 'scribble') {
      // Strokes from a smooth synthetic chroma field (30 patches at seeded random centers).
      const ab = new Float32Array(2 * size * size);
      for (let i = 0; i < size * size; i++) { const x = (i % size) / size; ab[2 * i] = 40 * x - 10; ab[2 * i + 1] = 30 - 50 * x; }
      out.push({ key, label: 'scribble (30 strokes)', method: getMethod('scribble'), options: { strokes: simulateHints(ab, size, size, { count: 30, seed: 1 }) } });
    } else if (key === 'model') {
      const name = MODEL || getDefaultModelName();
      const model = name ? await loadModel(name) : await loadModel(untrainedUnet(dir, 1));
      out.push({ key, label: `model ${model.name} @${model.inputSize}`, method: createModelMethod(model), options: {} });
    } else throw new Error(`unknown method ${key}; valid: gray,lut,lut-classic,model,kmeans,welsh,scribble`);
  }
  return out;
}

/**
 * The case's method, adding the time spent in its colorize / colorizeBatch calls to `spent.ms`
 * (what the model itself costs in the very run it is part of).
 */
function timedMethod(m: BatchColorizationMethod, spent: { ms: number }): BatchColorizationMethod {
  const time = async <T>(run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      spent.ms += performance.now() - t0;
    }
  };
  const colorizeBatch = m.colorizeBatch;
  return {
    ...m,
    colorize: (input, options) => time(() => m.colorize(input, options)),
    ...(colorizeBatch ? { colorizeBatch: (inputs: ColorizeInput[], options?: MethodOptions) => time(() => colorizeBatch(inputs, options)) } : {}),
  };
}

/**
 * decode -> colorize -> encode once (or decode -> gray RGB -> encode for the reference); returns
 * the milliseconds spent inside the method (0 for the reference).
 */
async function runOnce(file: string, c: Case | null): Promise<number> {
  const frames = (await readGrayInput(file)).frames;
  const spent = { ms: 0 };
  if (c) {
    const outs = await colorizeImages(frames, timedMethod(c.method, spent), { methodOptions: c.options });
    for (const o of outs) await encode(o.rgb);
  } else {
    for (const f of frames) {
      const rgb = new Uint8Array(f.width * f.height * 3);
      for (let i = 0; i < f.data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = f.data[i];
      await encode({ width: f.width, height: f.height, data: rgb });
    }
  }
  return spent.ms;
}

interface Stages { decode: number; displayL: number; toWork: number; method: number; recombine: number; encode: number; upsample: number; gamut: number; labToRgb: number }

/** The reference recombination, step by step: bilinear upsampling, gamut fit, Lab -> sRGB. */
function recombineReference(L: { width: number; height: number; data: Float32Array }, res: ColorizeResult): { upsample: number; gamut: number; labToRgb: number } {
  let t = performance.now();
  const lap = () => { const n = performance.now(), d = n - t; t = n; return d; };
  const ab = resizeBilinear(res.ab, res.width, res.height, 2, L.width, L.height);
  const upsample = lap();
  const outL = res.L ?? L.data;
  fitChromaToGamut(outL, ab);
  const gamut = lap();
  lAbToSrgb8(outL, ab);
  return { upsample, gamut, labToRgb: lap() };
}

/** The pipeline's full-resolution recombination, as colorize.ts runs it (fused, color/recombine.ts; sRGB only). */
function recombineStages(L: { width: number; height: number; data: Float32Array }, res: ColorizeResult): RgbImage {
  const { rgb } = recombineToSrgb8(res.L ?? L.data, L.width, L.height, res.ab, res.width, res.height, { ab: null });
  return { width: L.width, height: L.height, data: rgb };
}

/**
 * The pipeline's steps timed one by one (the same functions the pipeline calls). A pointwise
 * method on an integer image runs by value (pipeline/colorize.ts): display L* is the table of the
 * image's values, the method runs on that table, and "recombine" is the recombination of the
 * table plus the per-pixel lookup of the colors.
 */
async function runStages(file: string, c: Case): Promise<Stages> {
  let t = performance.now();
  const lap = () => { const n = performance.now(), d = n - t; t = n; return d; };
  const [gray] = (await readGrayInput(file)).frames as GrayImage[];
  const decode = lap();
  const byValue = c.method.pointwise ? grayToLByValue(gray) : undefined;
  if (byValue) {
    const displayL = lap();
    const nv = byValue.L.length;
    const res = await c.method.colorize({ width: nv, height: 1, L: byValue.L }, c.options);
    const method = lap();
    const perValue = recombineToSrgb8(res.L ?? byValue.L, nv, 1, res.ab, nv, 1);
    const rgb = lookupByValue(gray.data, byValue.lo, perValue.rgb, 3, new Uint8Array(3 * gray.data.length));
    const recombine = lap();
    await encode({ width: gray.width, height: gray.height, data: rgb });
    const encodeMs = lap();
    const L = toDisplayL(gray);
    const full = await c.method.colorize({ width: L.width, height: L.height, L: L.data }, c.options);
    return { decode, displayL, toWork: 0, method, recombine, encode: encodeMs, ...recombineReference(L, full) };
  }
  const L = toDisplayL(gray);
  const displayL = lap();
  const ws = c.method.workingSize;
  const input: ColorizeInput = ws
    ? { width: ws, height: ws, L: resizeBilinear(L.data, L.width, L.height, 1, ws, ws) }
    : { width: L.width, height: L.height, L: L.data, gray };
  const toWork = lap();
  const res = await c.method.colorize(input, c.options);
  const method = lap();
  const rgb = recombineStages(L, res);
  const recombine = lap();
  await encode(rgb);
  const encodeMs = lap();
  const ref = recombineReference(L, res);
  return { decode, displayL, toWork, method, recombine, encode: encodeMs, ...ref };
}

/**
 * Peak resident memory of this process so far, MB: VmHWM of /proc/self/status where there is one
 * (getrusage's maxRSS is inherited across fork + exec on Linux, so a child would report its
 * parent's peak).
 */
function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function peakChild(file: string, key: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'medcolor-bench-peak-'));
  const size = Number(/gray-(\d+)\.png$/.exec(file)?.[1] ?? 0);
  const c = key === 'reference' ? null : (await buildCases(dir, size, [key]))[0];
  // Warm up on a small image so that code, JIT and the model session are part of the baseline.
  const small = await makeGrayPng(dir, 64);
  await runOnce(small, c);
  const before = peakRssMB();
  await runOnce(file, c);
  const after = peakRssMB();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ key, baselineMB: before, peakBeyondMB: after - before }));
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'medcolor-bench-'));
  const load0 = os.loadavg();
  console.log(`# bench/pipeline: ${REPS} rounds (median), node ${process.version}, ${os.cpus().length} CPUs, load average ${load0.map((v) => v.toFixed(1)).join(' ')}`);
  const timeRows: string[] = [], stageRows: string[] = [];
  const files = new Map<number, string>();
  for (const size of SIZES) {
    const file = await makeGrayPng(tmp, size);
    files.set(size, file);
    const cases = await buildCases(tmp, size);
    // Warm-up (JIT, model session) on this size, once each.
    await runOnce(file, null);
    for (const c of cases) await runOnce(file, c);
    const times = new Map<string, number[]>([['reference', []]]);
    const stages = new Map<string, Stages[]>();
    const infer = new Map<string, number[]>();
    for (const c of cases) { times.set(c.key, []); stages.set(c.key, []); infer.set(c.key, []); }
    const reps = (c: Case | null) => (c && SLOW.has(c.key) && size >= 2048 ? Math.min(REPS, 3) : REPS);
    for (let r = 0; r < REPS; r++) {
      for (const c of [null, ...cases]) {
        if (r >= reps(c)) continue;
        const t0 = performance.now();
        const inMethod = await runOnce(file, c);
        const total = performance.now() - t0;
        times.get(c ? c.key : 'reference')!.push(total);
        if (c) {
          stages.get(c.key)!.push(await runStages(file, c));
          if (c.key === 'model') infer.get(c.key)!.push(inMethod, total - inMethod);
        }
      }
    }
    const ref = median(times.get('reference')!);
    timeRows.push(`| ${size} | decode + encode (reference) | ${ref.toFixed(1)} | 1.00 | | |`);
    for (const c of cases) {
      const ms = median(times.get(c.key)!);
      // The model's own time and the time beyond it, measured in the same runs (pairs: in, beyond).
      const pairs = infer.get(c.key)!;
      const inf = pairs.filter((_, i) => i % 2 === 0), rest = pairs.filter((_, i) => i % 2 === 1);
      const beyond = inf.length ? `${median(inf).toFixed(1)} | ${median(rest).toFixed(1)} ms, ${(median(rest) / ref).toFixed(2)}x` : '';
      timeRows.push(`| ${size} | ${c.label} | ${ms.toFixed(1)} | **${(ms / ref).toFixed(2)}** | ${beyond || ' | '} |`);
      const st = stages.get(c.key)!;
      const m = (k: keyof Stages) => median(st.map((s) => s[k])).toFixed(1);
      stageRows.push(`| ${size} | ${c.label} | ${m('decode')} | ${m('displayL')} | ${m('toWork')} | ${m('method')} | ${m('recombine')} | ${m('encode')} | ${m('upsample')} + ${m('gamut')} + ${m('labToRgb')} |`);
      console.error(`${size} ${c.label}: ${ms.toFixed(0)} ms, x${(ms / ref).toFixed(2)} decode+encode (${ref.toFixed(0)} ms)`);
    }
  }
  console.log('\n| size | path | ms / image | x decode + encode | model inference ms (its colorize call) | beyond inference: ms, x decode + encode |\n|---|---|---|---|---|---|');
  for (const r of timeRows) console.log(r);
  console.log('\n| size | method | decode | display L* | to working size | method | recombine | encode | reference recombine: upsample + gamut + Lab->sRGB |\n|---|---|---|---|---|---|---|---|---|');
  for (const r of stageRows) console.log(r);
  if (MEMORY) {
    const size = Math.max(...SIZES);
    const file = files.get(size)!;
    const script = fileURLToPath(import.meta.url);
    console.log(`\n| ${size} px peak memory | process baseline MB | peak beyond baseline MB |\n|---|---|---|`);
    const keys = ['reference', ...METHODS.filter((k) => !(SLOW.has(k) && size > SLOW_MAX_SIZE))];
    for (const key of keys) {
      const r = spawnSync(process.execPath, [...process.execArgv, script, '--peak-child', file, key, ...(MODEL ? ['--model', MODEL] : [])], { encoding: 'utf8' });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      try {
        const j = JSON.parse(line) as { baselineMB: number; peakBeyondMB: number };
        console.log(`| ${key === 'reference' ? 'decode + encode' : key} | ${j.baselineMB.toFixed(0)} | ${j.peakBeyondMB.toFixed(0)} |`);
      } catch {
        console.log(`| ${key} | failed: ${r.stderr.slice(-300)} | |`);
      }
    }
    console.log(`(the image: ${size}x${size} px = ${((size * size) / 1e6).toFixed(1)} Mpx; its float32 gray plane ${((size * size * 4) / 2 ** 20).toFixed(0)} MB, its 8-bit RGB output ${((size * size * 3) / 2 ** 20).toFixed(0)} MB)`);
  }
  console.log(`\nload average before ${load0.map((v) => v.toFixed(1)).join(' ')}, after ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  rmSync(tmp, { recursive: true, force: true });
}

if (PEAK >= 0) await peakChild(args[PEAK + 1], args[PEAK + 2]);
else await main();
