/**
 * Peak resident memory of one training step of the benchmark U-Net at a given batch and size,
 * measured in a process of its own (so nothing else counts). Prints one JSON line.
 * Usage: npx tsx bench/train-memory.ts [--batch 16] [--size 128] [--base 32]
 */
import '../src/nn/index.js';
import { mseLoss } from '../src/nn/losses.js';
import { ParamStore } from '../src/nn/params.js';
import { TrainSession } from '../src/nn/session.js';
import { unetForward } from '../src/models/unet.js';
import { benchArg as arg } from './lib/bench-args.js';

const batch = Number(arg('--batch', '16')), size = Number(arg('--size', '128')), base = Number(arg('--base', '32'));
const ts = await TrainSession.create({
  store: new ParamStore(),
  inputs: { L: [batch, 1, size, size], ab: [batch, 2, size, size] },
  build: (ctx, ins) => ({ loss: mseLoss(ctx.g, unetForward(ctx, ins.L, { base }), ins.ab) }),
  optimizer: { type: 'adam' },
}, { seed: 0 });
const n = batch * size * size;
const L = Float32Array.from({ length: n }, () => Math.random());
const ab = Float32Array.from({ length: 2 * n }, () => Math.random() - 0.5);
const t = performance.now();
for (let i = 0; i < 3; i++) await ts.step({ L, ab }, 1e-3);
console.log(JSON.stringify({ batch, size, base, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), stepMs: Math.round((performance.now() - t) / 3) }));
