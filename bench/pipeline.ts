/**
 * End-to-end colorization speed: decode a gray PNG, colorize (model or classical method),
 * recombine with the input L*, encode a color PNG; at 512x512 and 2048x2048, one image at a
 * time and in batches. The reference measured in the same run is decode + encode alone
 * (what any tool must pay), and the `gray` method (the pipeline without a method's own work).
 *
 *   npx tsx bench/pipeline.ts [--reps 3] [--batch 8] [--sizes 512,2048] [--model NAME|PATH]
 *
 * The model is the default shipped one (models/), else an untrained U-Net (base 32, depth 3,
 * the shipped architecture) exported by the training engine: same cost, meaningless colors.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { readGrayInput } from '../src/io/read-any.js';
import type { RgbImage } from '../src/image/types.js';
import { getDefaultModelName, loadModel } from '../src/io/model-loader.js';
import { createModelMethod } from '../src/methods/model.js';
import { getMethod } from '../src/methods/registry.js';
import type { ColorizationMethod } from '../src/methods/types.js';
import { colorizeImages } from '../src/pipeline/colorize.js';
import { colorizerForward, colorizerMetadata, type ColorizerConfig } from '../src/models/colorizer.js';
import '../src/nn/index.js';
import { exportInferenceModel } from '../src/nn/export.js';
import { Graph } from '../src/nn/graph.js';
import { BuildContext, ParamStore } from '../src/nn/params.js';

const args = process.argv.slice(2);
const arg = (k: string, d: string) => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1] : d;
};
const REPS = Number(arg('--reps', '3'));
const BATCH = Number(arg('--batch', '8'));
const SIZES = arg('--sizes', '512,2048').split(',').map(Number);
const MODEL = arg('--model', '');

const tmp = mkdtempSync(join(tmpdir(), 'medcolor-bench-'));
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

/** A gray test image with structure at every scale (rings + gradient + noise), as PNG. */
async function makeGrayPng(size: number): Promise<string> {
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
  const f = join(tmp, `gray-${size}.png`);
  await sharp(px, { raw: { width: size, height: size, channels: 1 } }).png().toFile(f);
  return f;
}

async function encode(img: RgbImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
}

/** An untrained U-Net exported like the trainer does, with a batch dimension of `n`. */
function untrainedUnet(n: number): string {
  const cfg: ColorizerConfig = { unet: { base: 32, depth: 3 }, loss: 'mse' };
  const store = new ParamStore();
  const g = new Graph('declare');
  colorizerForward(new BuildContext(g, 'train', store), { L: g.input('L', [1, 1, 256, 256]) }, cfg);
  store.initialize(0);
  const bytes = exportInferenceModel(store, { L: [n, 1, 256, 256] }, (ctx, ins) => colorizerForward(ctx, ins, cfg),
    colorizerMetadata(cfg, { 'medcolor.name': `untrained-unet-n${n}`, 'medcolor.input_size': '256' }));
  const f = join(tmp, `unet-n${n}.onnx`);
  writeFileSync(f, bytes);
  return f;
}

interface Row { label: string; size: number; mode: string; ips: number; msPerImage: number }

/** Images per second, decode -> colorize -> encode, `n` images per pipeline call. */
async function measure(file: string, method: ColorizationMethod | null, n: number, total: number): Promise<number> {
  const once = async () => {
    for (let done = 0; done < total; done += n) {
      const k = Math.min(n, total - done);
      const frames = [];
      for (let i = 0; i < k; i++) frames.push(...(await readGrayInput(file)).frames);
      if (method) {
        const outs = await colorizeImages(frames, method);
        for (const o of outs) await encode(o.rgb);
      } else {
        // Reference: decode + encode the gray image as RGB, no colorization.
        for (const f of frames) {
          const rgb = new Uint8Array(f.width * f.height * 3);
          for (let i = 0; i < f.data.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = f.data[i];
          await encode({ width: f.width, height: f.height, data: rgb });
        }
      }
    }
  };
  await once(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  return total / (median(times) / 1000);
}

async function main(): Promise<void> {
  const modelName = MODEL || getDefaultModelName();
  const single = modelName ? await loadModel(modelName) : await loadModel(untrainedUnet(1));
  const batched = modelName ? single : await loadModel(untrainedUnet(BATCH));
  const methods: [string, ColorizationMethod | null, ColorizationMethod | null][] = [
    ['decode+encode (reference)', null, null],
    ['gray', getMethod('gray'), getMethod('gray')],
    ['lut (hot-iron)', getMethod('lut'), getMethod('lut')],
    [`model ${single.name} @${single.inputSize}`, createModelMethod(single), createModelMethod(batched)],
  ];
  console.log(`medcolor pipeline bench: ${REPS} reps (median), batch ${BATCH}, node ${process.version}`);
  const rows: Row[] = [];
  for (const size of SIZES) {
    const file = await makeGrayPng(size);
    const total = size >= 2048 ? Math.max(2, Math.min(BATCH, 4)) : BATCH;
    let ref = 0;
    for (const [label, one, many] of methods) {
      const ipsOne = await measure(file, one, 1, total);
      const ipsBatch = one === null ? ipsOne : await measure(file, many, total, total);
      if (one === null) ref = ipsOne;
      for (const [mode, ips] of [['one at a time', ipsOne], [`batch of ${total}`, ipsBatch]] as const) {
        if (one === null && mode !== 'one at a time') continue;
        rows.push({ label, size, mode, ips, msPerImage: 1000 / ips });
        console.log(
          `${String(size).padStart(5)}px  ${label.padEnd(34)} ${mode.padEnd(14)} ${ips.toFixed(2).padStart(7)} img/s ` +
            `${(1000 / ips).toFixed(1).padStart(8)} ms/img   x${(ref / ips).toFixed(2)} the reference time`,
        );
      }
    }
  }
  rmSync(tmp, { recursive: true, force: true });
}

await main();
