/**
 * Trains a hint-taking colorizer (Zhang et al. 2017 recipe, docs/hints.md) with the library's
 * trainer: one or several prepared datasets (several = domain-balanced batches), optionally warm
 * started from an exported model (`--init models/natural.onnx` or a run's model.onnx).
 *
 *   npx tsx scripts/train-hints.ts --data D1[,D2,...] -o RUN --max-minutes 20 [--init M.onnx]
 *     [--name NAME] [--lr 0.0005] [--batch 16] [--crop 128] [--base 16] [--depth 4]
 *     [--steps-per-epoch 40] [--val-limit 20] [--blend bilateral|spatial] [--no-hint-share 0.25] [--seed 0] [--resume] [--trained-on TEXT]
 *
 * Without --init the network starts from a seeded random initialization ("from scratch").
 * Progress goes to stdout, one line per epoch (and every 20 steps); resumable with --resume.
 */
import { parseArgs } from 'node:util';
import { trainColorizer } from '../src/train/trainer.js';

const { values: a } = parseArgs({
  options: {
    data: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'max-minutes': { type: 'string' },
    init: { type: 'string' },
    name: { type: 'string' },
    lr: { type: 'string', default: '0.0005' },
    batch: { type: 'string', default: '16' },
    crop: { type: 'string', default: '128' },
    base: { type: 'string', default: '16' },
    depth: { type: 'string', default: '4' },
    epochs: { type: 'string', default: '1000' },
    'steps-per-epoch': { type: 'string' },
    'no-hint-share': { type: 'string', default: '0.25' },
    warmup: { type: 'string', default: '20' },
    patience: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '0' },
    'trained-on': { type: 'string' },
    'val-limit': { type: 'string' },
    blend: { type: 'string', default: 'bilateral' },
    resume: { type: 'boolean' },
  },
});
if (!a.data || !a.output) {
  console.error('usage: train-hints.ts --data D1[,D2,...] -o RUN [--max-minutes M] [--init MODEL.onnx] [--name NAME]');
  process.exit(2);
}
const ac = new AbortController();
process.on('SIGINT', () => ac.abort());
process.on('SIGTERM', () => ac.abort());
const data = a.data.split(',');
const r = await trainColorizer({
  data: data.length === 1 ? data[0] : data,
  out: a.output,
  maxMinutes: a['max-minutes'] ? Number(a['max-minutes']) : undefined,
  init: a.init,
  name: a.name,
  lr: Number(a.lr),
  batch: Number(a.batch),
  crop: Number(a.crop),
  epochs: Number(a.epochs),
  warmup: Number(a.warmup),
  patience: Number(a.patience),
  stepsPerEpoch: a['steps-per-epoch'] ? Number(a['steps-per-epoch']) : undefined,
  seed: Number(a.seed),
  unet: { base: Number(a.base), depth: Number(a.depth), globalContext: true, batchNorm: false, guided: true },
  hints: { noHintShare: Number(a['no-hint-share']) },
  hintBlend: a.blend === 'spatial' ? true : 'bilateral',
  trainedOn: a['trained-on'],
  valLimit: a['val-limit'] ? Number(a['val-limit']) : undefined,
  resume: a.resume,
  signal: ac.signal,
  onProgress: (p) => {
    if (p.kind === 'epoch') {
      const v = p.val!;
      console.log(`epoch ${p.epoch}: loss ${p.loss.toFixed(5)} val 0 hints ${v.psnr.toFixed(2)} dB / ${v.ssim.toFixed(3)} / dE ${v.deltaE2000.toFixed(2)}` +
        (v.hinted ? `, ${v.hinted.count} hints ${v.hinted.psnr.toFixed(2)} dB / dE ${v.hinted.deltaE2000.toFixed(2)}` : '') + ` (${p.imagesPerSecond.toFixed(1)} img/s)`);
    } else if (p.step % 20 === 0) {
      console.log(`  step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(5)} ${p.imagesPerSecond.toFixed(1)} img/s eta ${Math.round(p.etaSeconds)} s`);
    }
  },
});
console.log(JSON.stringify(r));
