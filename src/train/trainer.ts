/**
 * Training loop of the colorizer: seeded sampling (domain-balanced over several datasets),
 * augmentation (random crop, flips), simulated color hints for hint-taking models, one ONNX
 * Runtime run per step, validation after each epoch (PSNR, SSIM, CIEDE2000 on the val split at
 * full record size; with and without hints), early stopping, best and last checkpoints,
 * JSON-lines log, a plot of the curves, clean stop on SIGINT with resume, warm start from an
 * exported model, and export of the best model.
 *
 * Three parts: {@link setupTraining} (datasets, sessions, schedule, resume), {@link runEpoch}
 * (the steps of one epoch, each a {@link trainStep}, and its validation) and
 * {@link exportBestModel}; trainColorizer runs them in order.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { lAbToSrgb8 } from '../color/lab.js';
import { MedcolorError } from '../errors.js';
import type { RgbImage } from '../image/types.js';
import { writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../io/model-loader.js';
import { writeOnnxMetadata } from '../io/model-metadata.js';
import { rasterizeHints, simulateHints, writeHintInputs } from '../methods/hints.js';
import { computeReport } from '../metrics/report.js';
import { CLASS_HEAD_PREFIX, DEFAULT_CLASS_STRIDE } from '../models/class-head.js';
import { colorizerForward, colorizerInputShapes, colorizerMetadata, discriminatorObjective, generatorObjective, TARGET_AB_CLASS, type ColorizerConfig, type LossConfig, type PixelLoss } from '../models/colorizer.js';
import { AB_SCALE, INPUT_HINT_AB, INPUT_HINT_MASK, META, OUTPUT_AB, OUTPUT_AB_LOGITS, denormalizeL, type ModelHead } from '../models/contract.js';
import { decodeClassOutput } from '../models/decode-class-output.js';
import type { DecodeAbOptions } from '../color/ab-decode.js';
import { computeClassTargets, makeClassTarget, type ClassTargets } from './class-targets.js';
import type { UNetOptions } from '../models/unet.js';
import { loadExportedWeights } from '../models/warm-start.js';
import '../nn/index.js';
import { loadCheckpoint, saveCheckpoint } from '../nn/checkpoint.js';
import { exportInferenceModel } from '../nn/export.js';
import { lrAt, type LrSchedule, type OptimizerConfig } from '../nn/optim.js';
import { ParamStore, Rng } from '../nn/params.js';
import { EvalSession, TrainSession, type StepResult } from '../nn/session.js';
import { openDataset, makeBatch, type Batch, type Dataset } from './dataset.js';
import { describePreparedDomain } from './domain-data.js';
import { fitErrorTable } from './fit-error-table.js';
import { renderTrainingCurves } from './plot.js';

/** Simulated hints during training (hint-taking models); defaults in brackets. */
export interface HintTrainingOptions {
  /** Geometric parameter of the number of hints per image [1/8]. */
  p?: number;
  /** Share of batches given no hint at all [0.25]. */
  noHintShare?: number;
  /** Number of hints of the hinted validation pass [10]. */
  valCount?: number;
}

/** Options of {@link trainColorizer}; defaults in brackets. */
export interface TrainOptions {
  /** Prepared dataset folder (medcolor prepare), or several: each batch then draws equally from each (domain-balanced). */
  data: string | string[];
  /** Run folder: checkpoints, log, plot, model.onnx. */
  out: string;
  /** Epochs [30]. */
  epochs?: number;
  /** Batch size [16]; with several datasets a multiple of their number. */
  batch?: number;
  /** Steps per epoch [train images / batch]; an epoch ends with a validation. */
  stepsPerEpoch?: number;
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
  /** Train a hint-taking model (inputs L, hint_ab, hint_mask) with simulated hints [off]. */
  hints?: boolean | HintTrainingOptions;
  /** Hint-taking model: learned blend of the prediction with the spread hints (models/hint-blend.ts) [false]. */
  hintBlend?: boolean | 'bilateral';
  /**
   * Warm start: an exported colorizer (.onnx) whose weights initialize the network (which must
   * then be built with `unet.batchNorm: false` and the same architecture; see models/warm-start.ts),
   * or a checkpoint (.ckpt) of the same network (e.g. a pretraining run's best.ckpt).
   */
  init?: string;
  seed?: number;
  /** Resume from out/last.ckpt [false]. */
  resume?: boolean;
  /** Stop when the validation score has not improved for this many epochs [8]. */
  patience?: number;
  /** Stop after this many minutes (checked after each step; validation still runs) [none]. */
  maxMinutes?: number;
  /**
   * What the network predicts ['regression']: a*b*; 'classification': logits over the a*b* bins
   * (Zhang et al. 2016: soft-encoded targets, class rebalancing from the train split, validated
   * by the annealed mean); 'both': one network with both outputs (loss: pixel + classWeight x
   * cross-entropy; validated by the regression output).
   */
  head?: ModelHead;
  /** Classification head: downsampling of its logits [2]; rebalancing lambda [0.5] and smoothing sigma [5]. */
  classStride?: number;
  rebalanceLambda?: number;
  rebalanceSigma?: number;
  /** Weight of the cross-entropy in the loss [1]. */
  classWeight?: number;
  /** Train only the parameters whose names start with one of these (e.g. ['logits.'], the new head of a warm start) [all]. */
  trainOnly?: string[];
  /** Model name written into the metadata ['colorizer']. */
  name?: string;
  /** Text about the training data and its license, written into the metadata. */
  trainedOn?: string;
  /** Validation batch [4]. */
  valBatch?: number;
  /** Validate each epoch on the first this-many records of each val split [all]. */
  valLimit?: number;
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
  /** Hint-taking models: the same scores with `valCount` simulated hints per image. */
  hinted?: { count: number; psnr: number; ssim: number; deltaE2000: number };
  /** Both heads: the scores of the classification output (annealed mean). */
  classified?: { psnr: number; ssim: number; deltaE2000: number };
}

/** How validation turns a model's output into a*b*: its `ab`, or its `ab_logits` decoded. */
export type ValidationDecode = { output: 'ab' } | ({ output: 'ab_logits'; centers: Float32Array } & DecodeAbOptions);

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
  const hints = o.hints ? (o.hints === true ? {} : o.hints) : undefined;
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
    hints: hints ? { p: hints.p ?? 1 / 8, noHintShare: hints.noHintShare ?? 0.25, valCount: hints.valCount ?? 10 } : undefined,
  };
}

type Settings = ReturnType<typeof defaults>;

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
 * Adds the hint inputs to a batch: for each sample, hints simulated from its true a*b*
 * (methods/hints.ts), `count` of them or a geometric number; `none` gives zero planes.
 * `seedOf(k)` seeds sample k's simulation; otherwise `rand` is drawn from.
 */
export function addHintInputs(b: Batch, o: { none?: boolean; count?: number; p?: number; rand?: () => number; seedOf?: (k: number) => number }): Record<string, Float32Array> {
  const s = b.size, n = s * s;
  const hintAb = new Float32Array(b.n * 2 * n), hintMask = new Float32Array(b.n * n);
  if (!o.none && o.count !== 0) {
    for (let k = 0; k < b.n; k++) {
      const truth = interleaveAb(b.ab, 2 * k * n, n, AB_SCALE);
      const strokes = simulateHints(truth, s, s, { count: o.count, p: o.p, rand: o.seedOf ? undefined : o.rand, seed: o.seedOf?.(k) });
      writeHintInputs(rasterizeHints({ strokes }, s, s), k, hintAb, hintMask);
    }
  }
  return { [INPUT_HINT_AB]: hintAb, [INPUT_HINT_MASK]: hintMask };
}

/**
 * Scores a model on a split: PSNR (8-bit RGB), SSIM, CIEDE2000 of L* + predicted a*b* against
 * L* + true a*b*, and the loss-space MSE of normalized a*b*. For a hint-taking model
 * (`hints.count` given) each record i gets that many hints simulated with seed i + 1, the rule
 * of `medcolor eval`; count 0 feeds empty hint planes.
 */
export async function validate(ds: Dataset, split: string, ev: EvalSession, valBatch: number, hints?: { count: number }, limit = Infinity, decode: ValidationDecode = { output: 'ab' }): Promise<ValidationScores> {
  const count = Math.min(limit, ds.splits[split]?.count ?? 0);
  if (!count) throw new MedcolorError('ERR_DATASET', `split '${split}' is empty in ${ds.dir}`);
  const s = ds.size, n = s * s;
  let psnr = 0, ssim = 0, de = 0, mse = 0;
  for (let i0 = 0; i0 < count; i0 += valBatch) {
    const idx = [...Array(Math.min(valBatch, count - i0)).keys()].map((k) => i0 + k);
    while (idx.length < valBatch) idx.push(idx[idx.length - 1]); // pad the last batch
    const b = makeBatch(ds, split, idx);
    const feeds: Record<string, Float32Array> = { L: b.L, ...(hints ? addHintInputs(b, { count: hints.count, seedOf: (k) => idx[k] + 1 }) : {}) };
    const outs = await ev.run(feeds);
    for (let k = 0; k < Math.min(valBatch, count - i0); k++) {
      const L = new Float32Array(n);
      for (let i = 0; i < n; i++) L[i] = denormalizeL(b.L[k * n + i]);
      let pred: Float32Array, out: Float32Array, o = 2 * k * n;
      if (decode.output === 'ab') {
        out = outs[OUTPUT_AB];
        pred = interleaveAb(out, 2 * k * n, n, AB_SCALE);
      } else {
        const logits = outs[OUTPUT_AB_LOGITS], q = decode.centers.length / 2, hs = Math.round(Math.sqrt(logits.length / (valBatch * q)));
        pred = decodeClassOutput(logits, k, [valBatch, q, hs, hs], decode.centers, s, s, decode).ab;
        // Planar normalized a*b* for the loss-space MSE below.
        out = new Float32Array(2 * n);
        for (let i = 0; i < n; i++) { out[i] = pred[2 * i] / AB_SCALE; out[n + i] = pred[2 * i + 1] / AB_SCALE; }
        o = 0;
      }
      const truth = interleaveAb(b.ab, 2 * k * n, n, AB_SCALE);
      let se = 0;
      for (let i = 0; i < 2 * n; i++) {
        const d = out[o + i] - b.ab[2 * k * n + i];
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

/** Everything a training run holds between epochs (made by {@link setupTraining}). */
export interface TrainingRun {
  options: TrainOptions;
  settings: Settings;
  cfg: ColorizerConfig;
  lossCfg: LossConfig;
  datasets: Dataset[];
  store: ParamStore;
  ts: TrainSession;
  /** The discriminator's session when the adversarial loss is on. */
  disc?: TrainSession;
  ev: EvalSession;
  sched: LrSchedule;
  rng: Rng;
  stepsPerEpoch: number;
  epoch: number;
  best: ValidationScores & { epoch: number };
  sinceBest: number;
  /** Per dataset: its shuffled order and the position reached in it. */
  queues: { order: number[]; pos: number }[];
  images: number;
  t0: number;
  stopped: TrainResult['stopped'];
  lastPath: string;
  bestPath: string;
  /** Classification or both head: bins, rebalancing weights, stride. */
  classTargets?: ClassTargets;
}

/** The score that picks the best epoch: val PSNR, averaged with the hinted PSNR for hint-taking models and with the classification output's for both heads. */
function selectionScore(v: ValidationScores): number {
  return v.hinted ? (v.psnr + v.hinted.psnr) / 2 : v.classified ? (v.psnr + v.classified.psnr) / 2 : v.psnr;
}

/**
 * Opens the datasets, builds the training (and discriminator) and validation sessions,
 * initializes (seeded, or from `init`) or resumes the parameters, and plans the schedule.
 */
export async function setupTraining(options: TrainOptions): Promise<TrainingRun> {
  const o = defaults(options);
  const dirs = Array.isArray(options.data) ? options.data : [options.data];
  if (dirs.length === 0) throw new MedcolorError('ERR_USAGE', 'no dataset given');
  if (o.batch % dirs.length) throw new MedcolorError('ERR_USAGE', `--batch ${o.batch} must be a multiple of the number of datasets (${dirs.length}) to balance them`);
  const datasets = dirs.map((d) => openDataset(d));
  const size = datasets[0].size;
  const perDomain = o.batch / dirs.length;
  for (const ds of datasets) {
    const c = ds.splits.train?.count ?? 0;
    if (ds.size !== size) throw new MedcolorError('ERR_DATASET', `datasets to be trained together must have one size; ${datasets[0].dir} is ${size}, ${ds.dir} is ${ds.size}`, { file: ds.dir });
    if (c < perDomain) throw new MedcolorError('ERR_DATASET', `the train split has ${c} images; need at least ${perDomain} per batch`, { file: ds.dir });
  }
  if (o.crop > size) throw new MedcolorError('ERR_USAGE', `--crop ${o.crop} is larger than the dataset's size ${size}`);
  mkdirSync(options.out, { recursive: true });
  const cfg: ColorizerConfig = { unet: o.unet, loss: o.loss, hints: !!o.hints, hintBlend: o.hints ? options.hintBlend : undefined };
  const head = options.head ?? 'regression';
  let classTargets: ClassTargets | undefined;
  if (head !== 'regression') {
    if (o.hints) throw new MedcolorError('ERR_USAGE', `a ${head} head does not take hints; train hint-taking models with the regression head`);
    const stride = options.classStride ?? DEFAULT_CLASS_STRIDE;
    if (o.crop % stride || size % stride) throw new MedcolorError('ERR_USAGE', `the crop (${o.crop}) and the dataset's size (${size}) must be divisible by the classification stride ${stride}`);
    classTargets = computeClassTargets(datasets, { stride, lambda: options.rebalanceLambda, sigma: options.rebalanceSigma });
    cfg.head = head;
    cfg.classes = { centers: classTargets.bins.centers, grid: classTargets.bins.grid, stride };
  }
  if (options.encoder) {
    const model = options.encoder.model ?? (options.encoder.path ? new Uint8Array(readFileSync(options.encoder.path)) : undefined);
    if (!model) throw new MedcolorError('ERR_USAGE', 'encoder: give a path or the model bytes');
    cfg.encoder = { model, inputSize: options.encoder.inputSize };
  }
  const store = new ParamStore();
  const optimizer: OptimizerConfig = { type: o.optimizer, weightDecay: options.weightDecay ?? (o.optimizer === 'adamw' ? 1e-4 : 0), clipNorm: options.clipNorm };
  const lossCfg: LossConfig = { pixel: o.loss, classWeight: options.classWeight };
  if (options.perceptualModel !== undefined) {
    const bytes = typeof options.perceptualModel === 'string' ? readFileSync(options.perceptualModel) : options.perceptualModel;
    lossCfg.perceptual = { model: new Uint8Array(bytes), weight: options.perceptualWeight ?? 0.05 };
  }
  if (options.adversarialWeight) lossCfg.adversarial = { weight: options.adversarialWeight, discriminator: { base: options.discriminatorBase ?? 32 } };
  const shapes: Record<string, number[]> = { ...colorizerInputShapes(cfg, o.batch, o.crop), ab: [o.batch, 2, o.crop, o.crop] };
  if (classTargets) shapes[TARGET_AB_CLASS] = [o.batch, classTargets.bins.count, o.crop / classTargets.stride, o.crop / classTargets.stride];
  const trainOnly = options.trainOnly;
  const ts = await TrainSession.create({
    store,
    inputs: shapes,
    build: (ctx, ins) => generatorObjective(ctx, ins, cfg, lossCfg),
    optimizer,
    update: (name) => !name.startsWith('disc.') && (!trainOnly || trainOnly.some((p) => name.startsWith(p))),
  }, { seed: o.seed, spinning: false });
  if (options.init && !options.resume) initializeFrom(store, options.init);
  // The discriminator step, in alternation with the generator's (sharing the parameter store).
  const disc = lossCfg.adversarial
    ? await TrainSession.create({
      store,
      inputs: { ...shapes, fake: shapes.ab },
      build: (ctx, ins) => discriminatorObjective(ctx, ins, lossCfg),
      optimizer: { type: 'adam', beta1: 0.5 },
      update: (name) => name.startsWith('disc.'),
    }, { seed: o.seed + 1, spinning: false })
    : undefined;
  const ev = await EvalSession.create(store, colorizerInputShapes(cfg, o.valBatch, size), (ctx, ins) => colorizerForward(ctx, ins, cfg));

  const trainCount = Math.min(...datasets.map((d) => d.splits.train.count * dirs.length));
  const stepsPerEpoch = options.stepsPerEpoch ?? Math.max(1, Math.floor(trainCount / o.batch));
  const total = stepsPerEpoch * o.epochs;
  const sched: LrSchedule =
    o.schedule === 'cosine' ? { type: 'cosine', lr: o.lr, total, warmup: o.warmup, minLr: o.lr * 0.01 }
      : o.schedule === 'step' ? { type: 'step', lr: o.lr, stepSize: Math.max(1, Math.floor(total / 3)), gamma: 0.1, warmup: o.warmup }
        : { type: 'constant', lr: o.lr, warmup: o.warmup };

  const run: TrainingRun = {
    options, settings: o, cfg, lossCfg, datasets, store, ts, disc, ev, sched,
    rng: new Rng(o.seed ^ 0x5bd1e995),
    stepsPerEpoch,
    epoch: 0,
    best: { psnr: -Infinity, ssim: 0, deltaE2000: 0, loss: 0, epoch: -1 },
    sinceBest: 0,
    queues: datasets.map(() => ({ order: [], pos: 0 })),
    images: 0,
    t0: performance.now(),
    stopped: 'completed',
    lastPath: join(options.out, 'last.ckpt'),
    bestPath: join(options.out, 'best.ckpt'),
    classTargets,
  };
  if (options.resume) {
    if (!existsSync(run.lastPath)) throw new MedcolorError('ERR_CHECKPOINT', `--resume: no checkpoint at ${run.lastPath}`);
    const ck = loadCheckpoint(run.lastPath);
    ts.restore(ck);
    disc?.restore(ck);
    run.epoch = ck.meta.epoch as number;
    run.rng.state = ck.meta.rng as number;
    run.best = ck.meta.best as TrainingRun['best'];
    run.sinceBest = ck.meta.sinceBest as number;
    if (Array.isArray(ck.meta.queues)) run.queues = ck.meta.queues as TrainingRun['queues'];
    // Time already spent counts against --max-minutes.
    run.t0 -= Number(ck.meta.seconds ?? 0) * 1000;
  } else {
    writeFileSync(join(options.out, LOG), '');
  }
  return run;
}

/**
 * Warm start: from a checkpoint (.ckpt: a run's best or last, same network) or an exported model
 * (.onnx, models/warm-start.ts; layers it lacks, such as hint_gate, start at zero).
 */
function initializeFrom(store: ParamStore, file: string): void {
  if (!file.endsWith('.ckpt')) {
    loadExportedWeights(store, new Uint8Array(readFileSync(file)), file, { fresh: ['hint_gate.', CLASS_HEAD_PREFIX] });
    return;
  }
  const ck = loadCheckpoint(file);
  for (const spec of store.specs.values()) {
    const v = ck.tensors.get(spec.name);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (!v || v.length !== n) throw new MedcolorError('ERR_CHECKPOINT', `warm start: the checkpoint has ${v ? `${v.length} values` : 'no values'} for '${spec.name}'; the network needs [${spec.shape}]`, { file });
    store.values.set(spec.name, new Float32Array(v));
  }
}

function saveLast(run: TrainingRun): void {
  const o = run.settings;
  const snap = run.ts.snapshot({
    epoch: run.epoch, rng: run.rng.state, best: run.best, sinceBest: run.sinceBest, queues: run.queues,
    seconds: (performance.now() - run.t0) / 1000, options: { ...o, data: run.options.data },
  });
  if (run.disc) for (const [k, v] of run.disc.optState) snap.tensors.set(k, v);
  saveCheckpoint(run.lastPath, snap);
}

function log(run: TrainingRun, rec: Record<string, unknown>): void {
  appendFileSync(join(run.options.out, LOG), JSON.stringify(rec) + '\n');
}

/** The next batch: `batch / datasets` samples from each dataset's shuffled order (reshuffled when used up). */
function nextBatch(run: TrainingRun): Record<string, Float32Array> {
  const o = run.settings;
  const per = o.batch / run.datasets.length;
  const parts: Batch[] = run.datasets.map((ds, d) => {
    const q = run.queues[d];
    const idx: number[] = [];
    while (idx.length < per) {
      if (q.pos >= q.order.length) {
        q.order = shuffle(ds.splits.train.count, run.rng);
        q.pos = 0;
      }
      idx.push(q.order[q.pos++]);
    }
    return makeBatch(ds, 'train', idx, { crop: o.crop, flip: o.flip, rng: () => run.rng.next() });
  });
  const b: Batch = parts.length === 1 ? parts[0] : {
    n: o.batch, size: o.crop,
    L: concatArrays(parts.map((p) => p.L)),
    ab: concatArrays(parts.map((p) => p.ab)),
  };
  const feeds: Record<string, Float32Array> = { L: b.L, ab: b.ab };
  if (run.classTargets) feeds[TARGET_AB_CLASS] = makeClassTarget(run.classTargets, b);
  if (o.hints) {
    const none = run.rng.next() < o.hints.noHintShare;
    Object.assign(feeds, addHintInputs(b, { none, p: o.hints.p, rand: () => run.rng.next() }));
  }
  return feeds;
}

function concatArrays(xs: Float32Array[]): Float32Array {
  const out = new Float32Array(xs.reduce((s, x) => s + x.length, 0));
  let o = 0;
  for (const x of xs) { out.set(x, o); o += x.length; }
  return out;
}

/** Validation over every dataset's val split (domains weighted equally), with hints when the model takes them. */
async function validateAll(run: TrainingRun): Promise<ValidationScores> {
  const o = run.settings;
  const mean = <T extends object>(xs: T[], key: keyof T) => xs.reduce((s, x) => s + (x[key] as number), 0) / xs.length;
  const plain: ValidationScores[] = [];
  const hinted: ValidationScores[] = [];
  const classified: ValidationScores[] = [];
  const both = run.cfg.head === 'both' && run.classTargets;
  for (const ds of run.datasets) {
    const limit = run.options.valLimit;
    plain.push(await validate(ds, 'val', run.ev, o.valBatch, o.hints ? { count: 0 } : undefined, limit, validationDecode(run)));
    if (o.hints) hinted.push(await validate(ds, 'val', run.ev, o.valBatch, { count: o.hints.valCount }, limit));
    if (both) classified.push(await validate(ds, 'val', run.ev, o.valBatch, undefined, limit, { output: 'ab_logits', centers: run.classTargets!.bins.centers, decode: 'annealed-mean' }));
  }
  const v: ValidationScores = { psnr: mean(plain, 'psnr'), ssim: mean(plain, 'ssim'), deltaE2000: mean(plain, 'deltaE2000'), loss: mean(plain, 'loss') };
  if (o.hints) v.hinted = { count: o.hints.valCount, psnr: mean(hinted, 'psnr'), ssim: mean(hinted, 'ssim'), deltaE2000: mean(hinted, 'deltaE2000') };
  if (both) v.classified = { psnr: mean(classified, 'psnr'), ssim: mean(classified, 'ssim'), deltaE2000: mean(classified, 'deltaE2000') };
  return v;
}

/** Validation decodes a classification head's logits by the annealed mean (T 0.38), the default of inference; a both head by its regression output (and its logits as `classified`). */
function validationDecode(run: TrainingRun): ValidationDecode {
  return run.cfg.head === 'classification' && run.classTargets ? { output: 'ab_logits', centers: run.classTargets.bins.centers, decode: 'annealed-mean' } : { output: 'ab' };
}

/** What one training step of a run used and gave. */
export interface TrainStepResult {
  /** The batch fed to the step (L, ab and any hint or class-target planes). */
  feeds: Record<string, Float32Array>;
  result: StepResult;
  lr: number;
  /** The discriminator's loss, when the adversarial loss is on. */
  dLoss?: number;
  /** Milliseconds spent making the batch (reading, cropping, flipping, hints) and in the step(s). */
  batchMs: number;
  stepMs: number;
}

/**
 * One training step of a run: the next batch (crops, flips, hints), the learning rate of the
 * schedule, the generator's step and, with the adversarial loss, the discriminator's.
 */
export async function trainStep(run: TrainingRun): Promise<TrainStepResult> {
  const t0 = performance.now();
  const feeds = nextBatch(run);
  const t1 = performance.now();
  // With a time limit the schedule runs on whichever is further along, steps or time, so a
  // cosine decay still completes when the limit ends training early.
  const maxMinutes = run.options.maxMinutes;
  const elapsedFrac = maxMinutes ? (performance.now() - run.t0) / (maxMinutes * 60_000) : 0;
  const total = run.stepsPerEpoch * run.settings.epochs;
  const lr = lrAt(run.sched, Math.max(run.ts.stepCount, Math.floor(elapsedFrac * total)));
  const result = await run.ts.step(feeds, lr);
  const dLoss = run.disc ? (await run.disc.step({ ...feeds, fake: result.extras.pred }, lr)).loss : undefined;
  return { feeds, result, lr, dLoss, batchMs: t1 - t0, stepMs: performance.now() - t1 };
}

/**
 * Runs one epoch: its steps (stopping early on abort or the time limit), then validation,
 * the log record, the best and last checkpoints and the curves. Returns false when training
 * is to stop (`run.stopped` says why).
 */
export async function runEpoch(run: TrainingRun): Promise<boolean> {
  const o = run.settings, options = run.options, ts = run.ts;
  let lossSum = 0;
  let timeUp = false;
  for (let s = 0; s < run.stepsPerEpoch; s++) {
    if (options.signal?.aborted) {
      run.stopped = 'interrupted';
      return false;
    }
    const { result: r, lr, dLoss } = await trainStep(run);
    if (!Number.isFinite(r.loss)) throw new MedcolorError('ERR_TRAINING_DIVERGED', `loss became ${r.loss} at step ${ts.stepCount}; lower --lr or add --clip-norm`);
    lossSum += r.loss;
    run.images += o.batch;
    const secs = (performance.now() - run.t0) / 1000;
    const ips = run.images / secs;
    const remaining = (o.epochs - run.epoch) * run.stepsPerEpoch - s - 1;
    let eta = (remaining * o.batch) / ips;
    if (options.maxMinutes !== undefined) eta = Math.min(eta, Math.max(0, options.maxMinutes * 60 - secs));
    options.onProgress?.({ kind: 'step', epoch: run.epoch, epochs: o.epochs, step: s + 1, stepsPerEpoch: run.stepsPerEpoch, loss: r.loss, imagesPerSecond: ips, etaSeconds: eta });
    if (ts.stepCount % 10 === 0) log(run, { type: 'step', step: ts.stepCount, epoch: run.epoch, loss: r.loss, lr, gradNorm: r.gradNorm, imagesPerSecond: ips, ...(r.extras.perceptual ? { perceptual: r.extras.perceptual[0] } : {}), ...(r.extras.adversarial ? { adversarial: r.extras.adversarial[0], discriminator: dLoss } : {}), ...(r.extras.classification ? { classification: r.extras.classification[0] } : {}) });
    if (options.maxMinutes !== undefined && secs > options.maxMinutes * 60) {
      timeUp = true;
      lossSum = (lossSum / (s + 1)) * run.stepsPerEpoch;
      break;
    }
  }
  const val = await validateAll(run);
  const trainLoss = lossSum / run.stepsPerEpoch;
  run.epoch++;
  log(run, { type: 'epoch', epoch: run.epoch, step: ts.stepCount, trainLoss, valLoss: val.loss, ...val, seconds: (performance.now() - run.t0) / 1000 });
  options.onProgress?.({ kind: 'epoch', epoch: run.epoch, epochs: o.epochs, step: run.stepsPerEpoch, stepsPerEpoch: run.stepsPerEpoch, loss: trainLoss, imagesPerSecond: run.images / ((performance.now() - run.t0) / 1000), etaSeconds: 0, val });
  if (selectionScore(val) > selectionScore(run.best)) {
    run.best = { ...val, epoch: run.epoch };
    run.sinceBest = 0;
    saveCheckpoint(run.bestPath, { tensors: new Map(run.store.values), meta: { epoch: run.epoch, step: ts.stepCount, val } });
  } else run.sinceBest++;
  saveLast(run);
  await writeCurves(options.out);
  if (timeUp) {
    run.stopped = 'time-limit';
    return false;
  }
  if (run.sinceBest >= o.patience) {
    run.stopped = 'early-stopping';
    return false;
  }
  return run.epoch < o.epochs;
}

/** Exports the best checkpoint as RUN/model.onnx (written atomically) with its metadata; returns the path, or '' without one. */
export async function exportBestModel(run: TrainingRun, seconds: number): Promise<string> {
  if (!existsSync(run.bestPath)) return '';
  const o = run.settings, options = run.options, best = run.best;
  const trainedOn = options.trainedOn ?? (Array.isArray(options.data) ? options.data.join(', ') : options.data);
  const bytes = exportColorizer(run.bestPath, run.cfg, run.datasets[0].size, colorizerMetadata(run.cfg, {
    [META.name]: options.name ?? 'colorizer',
    [META.inputSize]: String(run.datasets[0].size),
    [META.trainedOn]: trainedOn,
    // What the inputs looked like, so that colorizing something else warns (WARN_OUT_OF_DOMAIN).
    ...(run.datasets.reduce((n, d) => n + d.splits.train.count, 0) >= 2
      ? { [META.domain]: JSON.stringify(describePreparedDomain(run.datasets.map((d) => d.dir), trainedOn)) } : {}),
    [META.training]: JSON.stringify({
      epochs: best.epoch, steps: run.ts.stepCount, batch: o.batch, crop: o.crop, lr: o.lr, schedule: o.schedule, optimizer: o.optimizer, loss: o.loss,
      perceptualWeight: run.lossCfg.perceptual?.weight, adversarialWeight: run.lossCfg.adversarial?.weight, seed: o.seed, seconds: Math.round(seconds),
      ...(o.hints ? { hints: o.hints } : {}), ...(options.init ? { init: options.init } : {}),
      ...(run.classTargets ? { head: run.cfg.head, classStride: run.classTargets.stride, rebalanceLambda: run.classTargets.lambda, rebalanceSigma: run.classTargets.sigma, classWeight: run.lossCfg.classWeight ?? 1 } : {}),
      ...(options.trainOnly ? { trainOnly: options.trainOnly } : {}),
    }),
    [META.val]: JSON.stringify({ psnr: +best.psnr.toFixed(2), ssim: +best.ssim.toFixed(4), deltaE2000: +best.deltaE2000.toFixed(2), ...(best.hinted ? { hinted: { count: best.hinted.count, psnr: +best.hinted.psnr.toFixed(2) } } : {}), ...(best.classified ? { classified: { psnr: +best.classified.psnr.toFixed(2), deltaE2000: +best.classified.deltaE2000.toFixed(2) } } : {}) }),
  }));
  const modelPath = join(options.out, 'model.onnx');
  await writeFileAtomic(modelPath, bytes);
  // The model's own error on its training split, behind its confidence map (methods/error-table.ts).
  const table = await fitErrorTable(await loadModel(modelPath), run.datasets.map((d) => d.dir));
  await writeOnnxMetadata(modelPath, { [META.confidence]: JSON.stringify(table) });
  return modelPath;
}

/**
 * Trains the colorizer on a prepared dataset (or several, domain-balanced).
 *
 * @example
 * const r = await trainColorizer({ data: 'data/endoscopy-256', out: 'runs/endo', epochs: 20 });
 * console.log(r.best.psnr, r.modelPath);
 */
export async function trainColorizer(options: TrainOptions): Promise<TrainResult> {
  const run = await setupTraining(options);
  try {
    while (run.epoch < run.settings.epochs && (await runEpoch(run)));
    if (run.stopped === 'interrupted') saveLast(run);
    const seconds = (performance.now() - run.t0) / 1000;
    const modelPath = await exportBestModel(run, seconds);
    return { best: run.best, epochsRun: run.epoch, steps: run.ts.stepCount, seconds, stopped: run.stopped, modelPath };
  } finally {
    await run.ts.release();
    await run.disc?.release();
    await run.ev.release();
    for (const ds of run.datasets) ds.close();
  }
}

/**
 * Exports the inference model of a colorizer from a checkpoint (BatchNorm folded, any batch
 * size unless a pretrained encoder fixes it).
 */
export function exportColorizer(checkpoint: string, cfg: ColorizerConfig, size: number, metadata: Record<string, string>): Uint8Array {
  const ck = loadCheckpoint(checkpoint);
  const store = new ParamStore();
  for (const [k, v] of ck.tensors) if (!k.startsWith('opt.')) store.values.set(k, v);
  return exportInferenceModel(store, colorizerInputShapes(cfg, 1, size), (ctx, ins) => colorizerForward(ctx, ins, cfg), metadata, 'medcolor_colorizer', { dynamicBatch: !cfg.encoder });
}

async function writeCurves(out: string): Promise<void> {
  const lines = readFileSync(join(out, LOG), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const epochs = lines.filter((l) => l.type === 'epoch');
  const svg = renderTrainingCurves(epochs);
  await writeFileAtomic(join(out, 'curves.svg'), svg);
  // The same chart as PNG (sharp renders SVG with librsvg).
  await writeFileAtomic(join(out, 'curves.png'), await sharp(Buffer.from(svg)).png().toBuffer());
}
