/**
 * `medcolor train --data DATASET -o RUN`: trains the U-Net colorizer on a prepared dataset.
 */
import type { Command } from 'commander';
import { MODEL_HEADS } from '../models/contract.js';
import { trainColorizer, type TrainOptions } from '../train/trainer.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { parseIntOption, usage } from './common.js';

interface TrainCliOptions {
  data: string;
  output: string;
  epochs: string;
  batch: string;
  lr: string;
  loss: string;
  optimizer: string;
  schedule: string;
  crop: string;
  base: string;
  depth: string;
  global: boolean;
  batchNorm: boolean;
  clipNorm?: string;
  perceptualModel?: string;
  perceptualWeight: string;
  adversarial: string;
  encoder?: string;
  encoderSize: string;
  patience: string;
  maxMinutes?: string;
  seed: string;
  resume?: boolean;
  name?: string;
  trainedOn?: string;
  json?: string | boolean;
  quiet?: boolean;
  head: string;
  classStride: string;
  classWeight: string;
  init?: string;
  trainOnly?: string;
  warmup: string;
  stepsPerEpoch?: string;
  valLimit?: string;
}

const LOSSES = ['mse', 'l1', 'huber'];

function num(name: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) usage(`${name} expects a number >= ${min}; found "${v}"`);
  return n;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

/** Registers `medcolor train`. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train the U-Net colorizer (L* -> a*b*) on a dataset made by `medcolor prepare`')
    .requiredOption('--data <dataset>', 'prepared dataset folder')
    .requiredOption('-o, --output <run>', 'run folder: log.jsonl, curves.png, last.ckpt, best.ckpt, model.onnx')
    .option('--epochs <n>', 'epochs', '30')
    .option('--batch <n>', 'batch size', '16')
    .option('--lr <x>', 'peak learning rate', '0.002')
    .option('--loss <name>', `pixel loss: ${LOSSES.join(', ')}`, 'mse')
    .option('--optimizer <name>', 'adam, adamw or sgd', 'adam')
    .option('--schedule <name>', 'cosine (with warm-up), step or constant', 'cosine')
    .option('--crop <n>', 'random training crop side (validation uses whole images)', '128')
    .option('--base <n>', 'filters of the first U-Net layer', '32')
    .option('--depth <n>', 'stride-2 downsamplings', '3')
    .option('--no-global', 'leave out the global-context branch')
    .option('--no-batch-norm', 'no BatchNorm (the layout of an exported model; implied by --init MODEL.onnx, needed with --init of such a run\'s .ckpt)')
    .option('--clip-norm <x>', 'clip gradients to this global norm')
    .option('--perceptual-model <file.onnx>', 'frozen feature network (e.g. VGG16 to relu3_3; [N,3,H,W] ImageNet-normalized RGB in) for a perceptual loss')
    .option('--perceptual-weight <w>', 'weight of the perceptual loss', '0.05')
    .option('--adversarial <w>', 'weight of the PatchGAN adversarial loss (0: off)', '0')
    .option('--encoder <file.onnx>', 'frozen pretrained encoder whose embedding is fused at the bottleneck (e.g. Inception-ResNet-v2)')
    .option('--encoder-size <n>', 'input side of the pretrained encoder', '299')
    .option('--patience <n>', 'early stopping: epochs without a better validation PSNR', '8')
    .option('--max-minutes <m>', 'stop after this many minutes (the LR schedule is compressed to fit)')
    .option('--seed <n>', 'random seed (initialization, shuffling, augmentation)', '0')
    .option('--resume', 'continue from RUN/last.ckpt')
    .option('--name <name>', 'model name written into the exported model')
    .option('--trained-on <text>', 'data description and license, written into the exported model')
    .option('--head <head>', `what the network predicts: ${MODEL_HEADS.join(', ')} (classification: a distribution over a*b* bins, Zhang et al. 2016; both: one network with both outputs)`, 'regression')
    .option('--class-stride <n>', 'classification head: its logits are at 1/n of the input resolution', '2')
    .option('--class-weight <w>', 'classification head: weight of the cross-entropy in the loss', '1')
    .option('--init <model>', 'warm start: an exported model (.onnx; the network is then built without BatchNorm, as exported) or a checkpoint (.ckpt) of the same network')
    .option('--train-only <prefixes>', 'train only parameters whose names start with one of these (comma-separated), e.g. logits. for a new classification head on a warm start')
    .option('--warmup <n>', 'learning-rate warm-up steps', '50')
    .option('--steps-per-epoch <n>', 'steps between validations (default: train images / batch)')
    .option('--val-limit <n>', 'validate on the first n records of the val split (default: all)')
    .option('--json [file]', 'print (or write to file) the result as JSON')
    .option('-q, --quiet', 'no progress output')
    .addHelpText('after', `
Stops cleanly on Ctrl-C (saves RUN/last.ckpt; continue with --resume).
Validation after every epoch on the dataset's val split: PSNR (8-bit RGB), SSIM, CIEDE2000.
Example:
  medcolor prepare ../shared/data/color/endoscopy-kvasir -o data/endo --fit fill
  medcolor train --data data/endo -o runs/endo --epochs 30 --max-minutes 20`)
    .action(async (o: TrainCliOptions) => {
      if (!LOSSES.includes(o.loss)) usage(`--loss must be one of ${LOSSES.join(', ')}; found "${o.loss}"`);
      if (!['adam', 'adamw', 'sgd'].includes(o.optimizer)) usage(`--optimizer must be adam, adamw or sgd; found "${o.optimizer}"`);
      if (!['cosine', 'step', 'constant'].includes(o.schedule)) usage(`--schedule must be cosine, step or constant; found "${o.schedule}"`);
      const depth = parseIntOption('--depth', o.depth, 1, 6);
      const crop = parseIntOption('--crop', o.crop, 2 ** depth, 4096);
      if (!(MODEL_HEADS as readonly string[]).includes(o.head)) usage(`--head must be one of ${MODEL_HEADS.join(', ')}; found "${o.head}"`);
      if (crop % 2 ** depth) usage(`--crop must be divisible by 2^depth = ${2 ** depth}; found ${crop}`);
      const controller = new AbortController();
      const onSigint = () => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('\nmedcolor train: stopping after this step (Ctrl-C again to quit at once)\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      const opts: TrainOptions = {
        data: o.data,
        out: o.output,
        epochs: parseIntOption('--epochs', o.epochs, 1, 100000),
        batch: parseIntOption('--batch', o.batch, 1, 4096),
        lr: num('--lr', o.lr, 0),
        loss: o.loss as TrainOptions['loss'],
        optimizer: o.optimizer as TrainOptions['optimizer'],
        schedule: o.schedule as TrainOptions['schedule'],
        crop,
        unet: { base: parseIntOption('--base', o.base, 1, 1024), depth, globalContext: o.global, ...(o.init?.endsWith('.onnx') || !o.batchNorm ? { batchNorm: false } : {}) },
        head: o.head as TrainOptions['head'],
        classStride: parseIntOption('--class-stride', o.classStride, 1, 64),
        classWeight: num('--class-weight', o.classWeight, 0),
        init: o.init,
        trainOnly: o.trainOnly ? o.trainOnly.split(',').map((x) => x.trim()).filter(Boolean) : undefined,
        warmup: parseIntOption('--warmup', o.warmup, 0, 1e9),
        stepsPerEpoch: o.stepsPerEpoch !== undefined ? parseIntOption('--steps-per-epoch', o.stepsPerEpoch, 1, 1e9) : undefined,
        valLimit: o.valLimit !== undefined ? parseIntOption('--val-limit', o.valLimit, 1, 1e9) : undefined,
        clipNorm: o.clipNorm !== undefined ? num('--clip-norm', o.clipNorm, 0) : undefined,
        perceptualModel: o.perceptualModel,
        perceptualWeight: num('--perceptual-weight', o.perceptualWeight, 0),
        adversarialWeight: num('--adversarial', o.adversarial, 0),
        encoder: o.encoder ? { path: o.encoder, inputSize: parseIntOption('--encoder-size', o.encoderSize, 8, 4096) } : undefined,
        patience: parseIntOption('--patience', o.patience, 1, 100000),
        maxMinutes: o.maxMinutes !== undefined ? num('--max-minutes', o.maxMinutes, 0) : undefined,
        seed: parseIntOption('--seed', o.seed, 0, 2 ** 31),
        resume: !!o.resume,
        name: o.name,
        trainedOn: o.trainedOn,
        signal: controller.signal,
        onProgress: (p) => {
          if (o.quiet) return;
          if (p.kind === 'step') {
            const line = `epoch ${p.epoch + 1}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(5)} ${p.imagesPerSecond.toFixed(1)} img/s ETA ${fmtTime(p.etaSeconds)}`;
            if (process.stderr.isTTY) process.stderr.write('\r\x1b[K' + line);
            else if (p.step % 10 === 0) process.stderr.write(line + '\n');
          } else if (p.val) {
            process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}epoch ${p.epoch}/${p.epochs} train loss ${p.loss.toFixed(5)} | val PSNR ${p.val.psnr.toFixed(2)} dB SSIM ${p.val.ssim.toFixed(3)} dE2000 ${p.val.deltaE2000.toFixed(2)}\n`);
          }
        },
      };
      try {
        const r = await trainColorizer(opts);
        const summary = { ...r, data: o.data, output: o.output };
        if (o.json === true) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        else if (typeof o.json === 'string') writeFileAtomicSync(o.json, JSON.stringify(summary, null, 2) + '\n');
        if (!o.quiet) {
          process.stderr.write(`done (${r.stopped}) after ${r.epochsRun} epochs, ${r.steps} steps, ${fmtTime(r.seconds)}; best val PSNR ${r.best.psnr.toFixed(2)} dB at epoch ${r.best.epoch}; model: ${r.modelPath}\n`);
        }
        if (r.stopped === 'interrupted') process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}
