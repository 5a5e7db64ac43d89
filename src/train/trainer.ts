/**
 * Training loop of the colorizer: seeded shuffling, augmentation (random crop, flips), one
 * ONNX Runtime run per step, validation after each epoch (PSNR, SSIM, CIEDE2000 on the val
 * split at full record size), early stopping, best and last checkpoints, JSON-lines log, a plot
 * of the curves, clean stop on SIGINT with resume, and export of the best model.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { lAbToSrgb8 } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import { computeReport } from '../metrics/report.js';
import { AB_SCALE, colorizerForward, colorizerMetadata, discriminatorObjective, generatorObjective, type ColorizerConfig, type LossConfig, type PixelLoss } from '../models/colorizer.js';
import type { UNetOptions } from '../models/unet.js';
import '../nn/index.js';
import { loadCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { exportInferenceModel } from '../nn/export.js';
import { lrAt, type LrSchedule, type OptimizerConfig } from '../nn/optim.js';
import { ParamStore, Rng } from '../nn/params.js';
import { EvalSession, TrainSession } from '../nn/session.js';
import { openDataset, makeBatch, type Dataset } from './dataset.js';
import { renderTrainingCurves } from './plot.js';

/** Options of {@link trainColorizer}; defaults in brackets. */
export interface TrainOptions {
  /** Prepared dataset folder (medcolor prepare). */
  data: string;
  /** Run folder: checkpoints, log, plot, model.onnx. */
  out: string;
  /** Epochs [30]. */
  epochs?: number;
  /** Batch size [16]. */
  batch?: number;
  /** Peak learning rate [2e-3]. */
  lr?: number;
  /** Learning-rate schedule: cosine (with warm-up), step or constant ['cosine']. */
  schedule?: 'cosine' | 'step' | 'constant';
  /** Warm-up steps [50]. */
  warmup?: number;
  /** Pixel loss ['mse']. */
  loss?: PixelLoss;
  /** Frozen feature network (ONNX file path or bytes, [N,3,H,W] ImageNet-normalized RGB in, features out) for a perceptual loss. */
  perceptualModel?: string | Uint8Array;
  /** Weight of the perceptual loss [0.05]. */
  perceptualWeight?: number;
  /** Weight of the adversarial (PatchGAN) loss; 0 turns it off [0]. */
  adversarialWeight?: number;
  /** Frozen pretrained encoder fused at the bottleneck (ONNX path or bytes). */
  encoder?: { path?: string; model?: Uint8Array; inputSize: number };
  /** Discriminator width [32]. */
  discriminatorBase?: number;
  /** Optimizer ['adam']; weight decay for adamw [1e-4]. */
  optimizer?: 'adam' | 'adamw' | 'sgd';
  weightDecay?: number;
  /** Clip gradients to this global norm [none]. */
  clipNorm?: number;
  /** Training crop side [128]; validation runs on whole records. */
  crop?: number;
  /** Random flips [true]. */
  flip?: boolean;
  /** U-Net width/depth/global branch [{ base: 32, depth: 3, globalContext: true }]. */
  unet?: UNetOptions;
  seed?: number;
  /** Resume from out/last.ckpt [false]. */
  resume?: boolean;
  /** Stop when validation PSNR has not improved for this many epochs [8]. */
  patience?: number;
  /** Stop after this many minutes (checked after each step; validation still runs) [none]. */
  maxMinutes?: number;
  /** Model name written into the metadata ['colorizer']. */
  name?: string;
  /** Text about the training data and its license, written into the metadata. */
  trainedOn?: string;
  /** Validation batch [4]. */
  valBatch?: number;
  /** Called after every step and every epoch. */
  onProgress?: (p: TrainProgress) => void;
  /** Abort signal: the loop stops after the current step, saves last.ckpt and returns. */
  signal?: AbortSignal;
}

export interface TrainProgress {
  kind: 'step' | 'epoch';
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  imagesPerSecond: number;
  etaSeconds: number;
  val?: ValidationScores;
}

export interface ValidationScores {
  psnr: number;
  ssim: number;
  deltaE2000: number;
  loss: number;
}

export interface TrainResult {
  best: ValidationScores & { epoch: number };
  epochsRun: number;
  steps: number;
  seconds: number;
  stopped: 'completed' | 'early-stopping' | 'time-limit' | 'interrupted';
  modelPath: string;
}

const LOG = 'log.jsonl';

function defaults(o: TrainOptions) {
  return {
    epochs: o.epochs ?? 30,
    batch: o.batch ?? 16,
    lr: o.lr ?? 2e-3,
    schedule: o.schedule ?? 'cosine',
    warmup: o.warmup ?? 50,
    loss: o.loss ?? 'mse',
    optimizer: o.optimizer ?? 'adam',
    crop: o.crop ?? 128,
    flip: o.flip ?? true,
    unet: o.unet ?? { base: 32, depth: 3, globalContext: true },
    seed: o.seed ?? 0,
    patience: o.patience ?? 8,
    valBatch: o.valBatch ?? 4,
  };
}

function shuffle(n: number, rng: Rng): number[] {
  const a = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Interleaves planar a, b (normalized) into a*b* pairs. */
function interleaveAb(planar: Float32Array, offset: number, n: number, scale: number): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = planar[offset + i] * scale;
    out[2 * i + 1] = planar[offset + n + i] * scale;
  }
  return out;
}

/**
 * Scores a model on a split: PSNR (8-bit RGB), SSIM, CIEDE2000 of L* + predicted a*b* against
 * L* + true a*b*, and the loss-space MSE of normalized a*b*.
 */
export async function validate(ds: Dataset, split: string, ev: EvalSession, valBatch: number): Promise<ValidationScores> {
  const count = ds.splits[split]?.count ?? 0;
  if (!count) throw new MedcolorError('ERR_DATASET', `split '${split}' is empty in ${ds.dir}`);
  const s = ds.size, n = s * s;
  let psnr = 0, ssim = 0, de = 0, mse = 0;
  for (let i0 = 0; i0 < count; i0 += valBatch) {
    const idx = [...Array(Math.min(valBatch, count - i0)).keys()].map((k) => i0 + k);
    while (idx.length < valBatch) idx.push(idx[idx.length - 1]); // pad the last batch
    const b = makeBatch(ds, split, idx);
    const out = (await ev.run({ L: b.L })).ab;
    for (let k = 0; k < Math.min(valBatch, count - i0); k++) {
      const L = new Float32Array(n);
      for (let i = 0; i < n; i++) L[i] = (b.L[k * n + i] + 1) * 50;
      const pred = interleaveAb(out, 2 * k * n, n, AB_SCALE);
      const truth = interleaveAb(b.ab, 2 * k * n, n, AB_SCALE);
      let se = 0;
      for (let i = 0; i < 2 * n; i++) {
        const d = out[2 * k * n + i] - b.ab[2 * k * n + i];
        se += d * d;
      }
      mse += se / (2 * n);
      const rgbPred: RgbImage = { width: s, height: s, data: lAbToSrgb8(L, pred) };
      const rgbTrue: RgbImage = { width: s, height: s, data: lAbToSrgb8(L, truth) };
      const r = computeReport(rgbPred, rgbTrue);
      psnr += r.psnr;
      ssim += r.ssim;
      de += r.deltaE2000;
    }
  }
  return { psnr: psnr / count, ssim: ssim / count, deltaE2000: de / count, loss: mse / count };
}

/**
 * Trains the colorizer on a prepared dataset.
 *
 * @example
 * const r = await trainColorizer({ data: 'data/endoscopy-256', out: 'runs/endo', epochs: 20 });
 * console.log(r.best.psnr, r.modelPath);
 */
export async function trainColorizer(options: TrainOptions): Promise<TrainResult> {
  const o = defaults(options);
  const ds = openDataset(options.data);
  const trainCount = ds.splits.train?.count ?? 0;
  if (trainCount < o.batch) throw new MedcolorError('ERR_DATASET', `the train split has ${trainCount} images; need at least one batch of ${o.batch}`, { file: options.data });
  if (o.crop > ds.size) throw new MedcolorError('ERR_USAGE', `--crop ${o.crop} is larger than the dataset's size ${ds.size}`);
  mkdirSync(options.out, { recursive: true });
  const cfg: ColorizerConfig = { unet: o.unet, loss: o.loss };
  if (options.encoder) {
    const model = options.encoder.model ?? (options.encoder.path ? new Uint8Array(readFileSync(options.encoder.path)) : undefined);
    if (!model) throw new MedcolorError('ERR_USAGE', 'encoder: give a path or the model bytes');
    cfg.encoder = { model, inputSize: options.encoder.inputSize };
  }
  const store = new ParamStore();
  const optimizer: OptimizerConfig = { type: o.optimizer, weightDecay: options.weightDecay ?? (o.optimizer === 'adamw' ? 1e-4 : 0), clipNorm: options.clipNorm };
  const lossCfg: LossConfig = { pixel: o.loss };
  if (options.perceptualModel !== undefined) {
    const bytes = typeof options.perceptualModel === 'string' ? readFileSync(options.perceptualModel) : options.perceptualModel;
    lossCfg.perceptual = { model: new Uint8Array(bytes), weight: options.perceptualWeight ?? 0.05 };
  }
  if (options.adversarialWeight) lossCfg.adversarial = { weight: options.adversarialWeight, discriminator: { base: options.discriminatorBase ?? 32 } };
  const shapes = { L: [o.batch, 1, o.crop, o.crop], ab: [o.batch, 2, o.crop, o.crop] };
  const ts = await TrainSession.create({
    store,
    inputs: shapes,
    build: (ctx, ins) => generatorObjective(ctx, ins, cfg, lossCfg),
    optimizer,
    update: (name) => !name.startsWith('disc.'),
  }, { seed: o.seed, spinning: false });
  // The discriminator step, in alternation with the generator's (sharing the parameter store).
  const ds_ = lossCfg.adversarial
    ? await TrainSession.create({
      store,
      inputs: { ...shapes, fake: shapes.ab },
      build: (ctx, ins) => discriminatorObjective(ctx, ins, lossCfg),
      optimizer: { type: 'adam', beta1: 0.5 },
      update: (name) => name.startsWith('disc.'),
    }, { seed: o.seed + 1, spinning: false })
    : undefined;
  const ev = await EvalSession.create(store, { L: [o.valBatch, 1, ds.size, ds.size] }, (ctx, ins) => colorizerForward(ctx, ins, cfg));

  const stepsPerEpoch = Math.floor(trainCount / o.batch);
  const total = stepsPerEpoch * o.epochs;
  const sched: LrSchedule =
    o.schedule === 'cosine' ? { type: 'cosine', lr: o.lr, total, warmup: o.warmup, minLr: o.lr * 0.01 }
      : o.schedule === 'step' ? { type: 'step', lr: o.lr, stepSize: Math.max(1, Math.floor(total / 3)), gamma: 0.1, warmup: o.warmup }
        : { type: 'constant', lr: o.lr, warmup: o.warmup };

  const rng = new Rng(o.seed ^ 0x5bd1e995);
  let epoch = 0;
  let best = { psnr: -Infinity, ssim: 0, deltaE2000: 0, loss: 0, epoch: -1 };
  let sinceBest = 0;
  const lastPath = join(options.out, 'last.ckpt');
  const bestPath = join(options.out, 'best.ckpt');
  if (options.resume) {
    if (!existsSync(lastPath)) throw new MedcolorError('ERR_CHECKPOINT', `--resume: no checkpoint at ${lastPath}`);
    const ck = loadCheckpoint(lastPath);
    ts.restore(ck);
    ds_?.restore(ck);
    epoch = ck.meta.epoch as number;
    rng.state = ck.meta.rng as number;
    best = ck.meta.best as typeof best;
    sinceBest = ck.meta.sinceBest as number;
  } else {
    writeFileSync(join(options.out, LOG), '');
  }
  const saveLast = () => {
    const snap = ts.snapshot({ epoch, rng: rng.state, best, sinceBest, options: { ...o, data: options.data } });
    if (ds_) for (const [k, v] of ds_.optState) snap.tensors.set(k, v);
    saveCheckpoint(lastPath, snap);
  };
  const log = (rec: Record<string, unknown>) => appendFileSync(join(options.out, LOG), JSON.stringify(rec) + '\n');

  const t0 = performance.now();
  let stopped: TrainResult['stopped'] = 'completed';
  let images = 0;
  outer: while (epoch < o.epochs) {
    const order = shuffle(trainCount, rng);
    let lossSum = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (options.signal?.aborted) {
        stopped = 'interrupted';
        break outer;
      }
      const idx = order.slice(s * o.batch, (s + 1) * o.batch);
      const b = makeBatch(ds, 'train', idx, { crop: o.crop, flip: o.flip, rng: () => rng.next() });
      // With a time limit the schedule runs on whichever is further along, steps or time, so a
      // cosine decay still completes when the limit ends training early.
      const elapsedFrac = options.maxMinutes ? (performance.now() - t0) / (options.maxMinutes * 60_000) : 0;
      const lr = lrAt(sched, Math.max(ts.stepCount, Math.floor(elapsedFrac * total)));
      const r = await ts.step({ L: b.L, ab: b.ab }, lr);
      let dLoss: number | undefined;
      if (ds_) dLoss = (await ds_.step({ L: b.L, ab: b.ab, fake: r.extras.pred }, lr)).loss;
      if (!Number.isFinite(r.loss)) throw new MedcolorError('ERR_TRAINING_DIVERGED', `loss became ${r.loss} at step ${ts.stepCount}; lower --lr or add --clip-norm`);
      lossSum += r.loss;
      images += o.batch;
      const secs = (performance.now() - t0) / 1000;
      const ips = images / secs;
      const remaining = (o.epochs - epoch) * stepsPerEpoch - s - 1;
      let eta = (remaining * o.batch) / ips;
      if (options.maxMinutes !== undefined) eta = Math.min(eta, Math.max(0, options.maxMinutes * 60 - secs));
      options.onProgress?.({ kind: 'step', epoch, epochs: o.epochs, step: s + 1, stepsPerEpoch, loss: r.loss, imagesPerSecond: ips, etaSeconds: eta });
      if (ts.stepCount % 10 === 0) log({ type: 'step', step: ts.stepCount, epoch, loss: r.loss, lr, gradNorm: r.gradNorm, imagesPerSecond: ips, ...(r.extras.perceptual ? { perceptual: r.extras.perceptual[0] } : {}), ...(r.extras.adversarial ? { adversarial: r.extras.adversarial[0], discriminator: dLoss } : {}) });
      if (options.maxMinutes !== undefined && secs > options.maxMinutes * 60) {
        stopped = 'time-limit';
        lossSum = (lossSum / (s + 1)) * stepsPerEpoch;
        break;
      }
    }
    const val = await validate(ds, 'val', ev, o.valBatch);
    const trainLoss = lossSum / stepsPerEpoch;
    epoch++;
    log({ type: 'epoch', epoch, step: ts.stepCount, trainLoss, valLoss: val.loss, ...val, seconds: (performance.now() - t0) / 1000 });
    options.onProgress?.({ kind: 'epoch', epoch, epochs: o.epochs, step: stepsPerEpoch, stepsPerEpoch, loss: trainLoss, imagesPerSecond: images / ((performance.now() - t0) / 1000), etaSeconds: 0, val });
    if (val.psnr > best.psnr) {
      best = { ...val, epoch };
      sinceBest = 0;
      saveCheckpoint(bestPath, { tensors: new Map(store.values), meta: { epoch, step: ts.stepCount, val } });
    } else sinceBest++;
    saveLast();
    await writeCurves(options.out);
    if (stopped === 'time-limit') break;
    if (sinceBest >= o.patience) {
      stopped = 'early-stopping';
      break;
    }
  }
  if (stopped === 'interrupted') saveLast();
  const seconds = (performance.now() - t0) / 1000;
  // Export the best weights.
  let modelPath = '';
  if (existsSync(bestPath)) {
    const bytes = exportColorizer(bestPath, cfg, ds.size, colorizerMetadata(cfg, {
      'medcolor.name': options.name ?? 'colorizer',
      'medcolor.input_size': String(ds.size),
      'medcolor.trained_on': options.trainedOn ?? options.data,
      'medcolor.training': JSON.stringify({ epochs: best.epoch, steps: ts.stepCount, batch: o.batch, crop: o.crop, lr: o.lr, schedule: o.schedule, optimizer: o.optimizer, loss: o.loss, perceptualWeight: lossCfg.perceptual?.weight, adversarialWeight: lossCfg.adversarial?.weight, seed: o.seed, seconds: Math.round(seconds) }),
      'medcolor.val': JSON.stringify({ psnr: +best.psnr.toFixed(2), ssim: +best.ssim.toFixed(4), deltaE2000: +best.deltaE2000.toFixed(2) }),
    }));
    modelPath = join(options.out, 'model.onnx');
    writeFileSync(modelPath + '.tmp', bytes);
    renameSync(modelPath + '.tmp', modelPath);
  }
  await ts.release();
  await ds_?.release();
  await ev.release();
  ds.close();
  return { best, epochsRun: epoch, steps: ts.stepCount, seconds, stopped, modelPath };
}

/**
 * Exports the inference model of a colorizer from a checkpoint (BatchNorm folded, any batch
 * size unless a pretrained encoder fixes it).
 */
export function exportColorizer(checkpoint: string, cfg: ColorizerConfig, size: number, metadata: Record<string, string>): Uint8Array {
  const ck = loadCheckpoint(checkpoint);
  const store = new ParamStore();
  for (const [k, v] of ck.tensors) if (!k.startsWith('opt.')) store.values.set(k, v);
  return exportInferenceModel(store, { L: [1, 1, size, size] }, (ctx, ins) => colorizerForward(ctx, ins, cfg), metadata, 'medcolor_colorizer', { dynamicBatch: !cfg.encoder });
}

async function writeCurves(out: string): Promise<void> {
  const lines = readFileSync(join(out, LOG), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const epochs = lines.filter((l) => l.type === 'epoch');
  const svg = renderTrainingCurves(epochs);
  writeFileSync(join(out, 'curves.svg.tmp'), svg);
  renameSync(join(out, 'curves.svg.tmp'), join(out, 'curves.svg'));
  // The same chart as PNG (sharp renders SVG with librsvg).
  await sharp(Buffer.from(svg)).png().toFile(join(out, 'curves.png.tmp'));
  renameSync(join(out, 'curves.png.tmp'), join(out, 'curves.png'));
}
