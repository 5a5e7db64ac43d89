/**
 * The learned colorizer: an ONNX model that maps L* (and, for hint-taking models, color hints)
 * to a*b*, run through an injected ONNX Runtime (onnxruntime-node in Node, onnxruntime-web in
 * the browser). Browser-safe: no Node built-ins. The model contract (input/output names,
 * normalization, metadata keys) is defined in models/contract.ts.
 */
import { MedcolorError } from '../errors.js';
import {
  AB_SCALE,
  DEFAULT_INPUT_SIZE,
  HINTS_AB_MASK,
  INPUT_HINT_AB,
  INPUT_HINT_MASK,
  INPUT_L,
  L_NORM,
  META,
  MODEL_HEADS,
  normalizeL,
  OUTPUT_AB,
  OUTPUT_AB_LOGITS,
  HINT_PROPAGATIONS,
  type HintPropagation,
  type ModelHead,
} from '../models/contract.js';
import { checkDomain, parseDomainDescriptor, type DomainDescriptor } from '../models/domain.js';
import { confidenceFromTable, parseErrorTable, type ErrorTable } from './error-table.js';
import { FLIP_SPREAD_SCALE, flipHints, flipInterleavedAb, flipPlanar, FLIPS, predictionSpread } from './flip-confidence.js';
import { AB_DECODES, type AbDecode } from '../color/ab-decode.js';
import { decodeClassOutput } from '../models/decode-class-output.js';
import { rasterizeHints, type HintPlanes, type Hints } from './hints.js';
import type { BatchColorizationMethod, ColorizeInput, ColorizeResult, MethodOptions, MethodWarning } from './types.js';
import { propagateHintResidual } from './hint-propagation.js';

/** The part of an ONNX Runtime tensor this module uses. */
export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type?: string;
}

/** The part of an ONNX Runtime InferenceSession this module uses (node and web both fit). */
export interface OrtSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Shapes of the inputs (ONNX Runtime >= 1.21); symbolic dimensions are strings. */
  readonly inputMetadata?: readonly { readonly name: string; readonly shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  release?(): Promise<void>;
}

/** The part of an ONNX Runtime module this module uses: its Tensor constructor. */
export interface OrtModuleLike {
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensorLike;
}

/** A loaded colorization model: session, runtime and what its metadata says. */
export interface ColorizationModel {
  ort: OrtModuleLike;
  session: OrtSessionLike;
  /** All metadata_props of the ONNX file. */
  metadata: Record<string, string>;
  /** a*b* = output * abScale (metadata `medcolor.ab_scale`, default 110). */
  abScale: number;
  /** Working size in pixels (metadata `medcolor.input_size`, default 256). */
  inputSize: number;
  /** Model name (metadata `medcolor.name`, else the name it was loaded by). */
  name: string;
  /** Batch size when the model's input has a fixed N (runs are then split/padded to it). */
  fixedBatch?: number;
  /** [H, W] when the model's input has fixed spatial dimensions. */
  fixedSize?: [number, number];
  /** Where it came from (file path or URL), when known. */
  source?: string;
  /** Whether the model takes color hints (inputs `hint_ab` and `hint_mask`; metadata `medcolor.hints`). */
  takesHints: boolean;
  /** A hint-taking model: how its hints are spread after the network (metadata `medcolor.hint_propagation`, default 'hinted'). */
  hintPropagation: HintPropagation;
  /** Its training inputs' description (metadata `medcolor.domain`), when it has one: inputs far from it warn. */
  domain?: DomainDescriptor;
  /** Its expected error per pixel learned on its training split (metadata `medcolor.confidence`), when it has one. */
  errorTable?: ErrorTable;
  /** What it predicts (metadata `medcolor.head`, default 'regression'): output `ab`, `ab_logits` or both. */
  head: ModelHead;
  /** Classification or both head: interleaved a*, b* of each bin center (metadata `medcolor.ab_bins`). */
  abBins?: Float32Array;
}

/** Options of {@link createColorizationModel}. */
export interface CreateModelOptions {
  /** Metadata (metadata_props) of the model; read them with {@link readOnnxMetadata}. Default {}. */
  metadata?: Record<string, string>;
  /** Name when the metadata has none. Default 'model'. */
  name?: string;
  source?: string;
}

/** Default a*b* scale when the model's metadata has none (contract.ts AB_SCALE). */
export const DEFAULT_AB_SCALE = AB_SCALE;
/** Default working size when the model's metadata has none (contract.ts DEFAULT_INPUT_SIZE). */
export const DEFAULT_MODEL_SIZE = DEFAULT_INPUT_SIZE;

/**
 * Wraps an ONNX Runtime session that follows the medcolor model contract.
 * Checks the input and output names (a hint-taking model has all three inputs).
 *
 * @example
 * import * as ort from 'onnxruntime-web';
 * const bytes = new Uint8Array(await (await fetch('/models/natural.onnx')).arrayBuffer());
 * const session = await ort.InferenceSession.create(bytes);
 * const model = createColorizationModel(ort, session, { metadata: readOnnxMetadata(bytes) });
 */
export function createColorizationModel(
  ort: OrtModuleLike,
  session: OrtSessionLike,
  options: CreateModelOptions = {},
): ColorizationModel {
  const metadata = options.metadata ?? {};
  const found = `found inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]`;
  const head = (metadata[META.head] ?? 'regression') as ModelHead;
  if (!MODEL_HEADS.includes(head)) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `unsupported ${META.head} "${head}"; supported: ${MODEL_HEADS.map((h) => `"${h}"`).join(', ')}`, { file: options.source });
  }
  const outputs = head === 'regression' ? [OUTPUT_AB] : head === 'classification' ? [OUTPUT_AB_LOGITS] : [OUTPUT_AB, OUTPUT_AB_LOGITS];
  if (!session.inputNames.includes(INPUT_L) || outputs.some((n) => !session.outputNames.includes(n))) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `expected a model with input "${INPUT_L}" and output${outputs.length > 1 ? 's' : ''} ${outputs.map((n) => `"${n}"`).join(' and ')} (${META.head} ${head}); ${found}`, { file: options.source });
  }
  const abBins = head === 'regression' ? undefined : parseAbBins(metadata[META.abBins], options.source);
  const hintInputs = [INPUT_HINT_AB, INPUT_HINT_MASK].filter((n) => session.inputNames.includes(n)).length;
  const hintsMeta = metadata[META.hints];
  if (hintsMeta !== undefined && hintsMeta !== HINTS_AB_MASK && hintsMeta !== 'none') {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `unsupported ${META.hints} "${hintsMeta}"; supported: "${HINTS_AB_MASK}", "none"`, { file: options.source });
  }
  const takesHints = hintInputs === 2;
  if ((hintInputs === 1) || (hintsMeta === HINTS_AB_MASK) !== takesHints || session.inputNames.length !== (takesHints ? 3 : 1)) {
    throw new MedcolorError('ERR_MODEL_CONTRACT',
      `expected input "${INPUT_L}" alone, or "${INPUT_L}", "${INPUT_HINT_AB}" and "${INPUT_HINT_MASK}" with ${META.hints} "${HINTS_AB_MASK}"; ${found}, ${META.hints} ${hintsMeta === undefined ? 'absent' : `"${hintsMeta}"`}`,
      { file: options.source });
  }
  const hintPropagation = (metadata[META.hintPropagation] ?? 'hinted') as HintPropagation;
  if (!HINT_PROPAGATIONS.includes(hintPropagation)) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `unsupported ${META.hintPropagation} "${hintPropagation}"; supported: ${HINT_PROPAGATIONS.map((p) => `"${p}"`).join(', ')}`, { file: options.source });
  }
  const abScale = parsePositive(metadata[META.abScale], DEFAULT_AB_SCALE, META.abScale, options.source);
  // Fixed input dimensions (an export with a static shape): honour them rather than fail in ORT.
  const shape = session.inputMetadata?.find((m) => m.name === INPUT_L)?.shape;
  const fixed = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : undefined);
  const fixedBatch = fixed(shape?.[0]);
  const fh = fixed(shape?.[2]), fw = fixed(shape?.[3]);
  const fixedSize: [number, number] | undefined = fh && fw ? [fh, fw] : undefined;
  const inputSize = fixedSize
    ? fixedSize[0]
    : Math.round(parsePositive(metadata[META.inputSize], DEFAULT_MODEL_SIZE, META.inputSize, options.source));
  const lNorm = metadata[META.lNorm];
  if (lNorm !== undefined && lNorm.replace(/\s+/g, '') !== L_NORM) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `unsupported ${META.lNorm} "${lNorm}"; supported: "${L_NORM}"`, { file: options.source });
  }
  return {
    ort,
    session,
    metadata,
    abScale,
    inputSize,
    name: metadata[META.name] || options.name || 'model',
    source: options.source,
    fixedBatch,
    fixedSize,
    takesHints,
    hintPropagation,
    domain: parseDomainDescriptor(metadata[META.domain], options.source),
    errorTable: parseErrorTable(metadata[META.confidence], options.source),
    head,
    abBins,
  };
}

/**
 * The WARN_OUT_OF_DOMAIN warning for an L* plane at the working size, when the model has a
 * domain descriptor and the plane is far from it; undefined otherwise.
 *
 * @example
 * const w = checkModelDomain(model, input); // { code: 'WARN_OUT_OF_DOMAIN', message: '...', detail }
 */
export function checkModelDomain(model: ColorizationModel, input: { L: Float32Array; width: number; height: number }): MethodWarning | undefined {
  if (!model.domain) return undefined;
  const c = checkDomain(model.domain, input.L, input.width, input.height);
  if (!c.outside) return undefined;
  return {
    code: 'WARN_OUT_OF_DOMAIN',
    message: `the input is outside the domain of model ${model.name} (trained on ${c.words}): distance ${c.distance.toFixed(2)} > threshold ${c.threshold.toFixed(2)}; its colors are a guess`,
    detail: { distance: +c.distance.toFixed(3), threshold: c.threshold, domain: c.words, model: model.name },
  };
}

/** The bin centers of metadata `medcolor.ab_bins` (JSON [[a*, b*], ...]) as interleaved a*, b*. */
function parseAbBins(v: string | undefined, file?: string): Float32Array {
  let list: unknown;
  try {
    list = v === undefined ? undefined : JSON.parse(v);
  } catch {
    list = undefined;
  }
  if (!Array.isArray(list) || list.length < 2 || !list.every((c) => Array.isArray(c) && c.length === 2 && c.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `a classification head needs ${META.abBins}: a JSON list of at least 2 [a*, b*] bin centers; found ${v === undefined ? 'none' : `"${v.slice(0, 60)}"`}`, { file });
  }
  return Float32Array.from((list as number[][]).flat());
}

function parsePositive(v: string | undefined, dflt: number, key: string, file?: string): number {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `metadata ${key} must be a positive number; found "${v}"`, { file });
  }
  return n;
}

/** One L* plane to colorize. */
export interface ModelInput {
  width: number;
  height: number;
  /** Planar L* (0..100). */
  L: Float32Array;
  /** Color hints at this size (hint-taking models; none = automatic colorization). */
  hints?: HintPlanes;
}

/** How a classification (or both) head's distribution becomes a color. */
export interface ModelDecodeOptions {
  /**
   * 'annealed-mean' (default of a classification head) or 'mean' of the predicted distribution
   * (color/ab-decode.ts). A both head uses its regression output unless this is given.
   */
  decode?: AbDecode;
  /** Temperature of the annealed mean (default 0.38; lower = more vivid). */
  temperature?: number;
}

/** What the model gives for one input: interleaved a*b* and, from a classification head, the confidence. */
export interface ModelPrediction {
  ab: Float32Array;
  /** Planar 0..1: 1 - entropy / ln(bins) of the predicted distribution (classification or both heads). */
  confidence?: Float32Array;
}

/**
 * Runs the model on one or more L* planes of the same size in a single `session.run`
 * and returns interleaved a*b* for each (same size as its input).
 *
 * @example
 * const [ab] = await runColorizationModel(model, [{ width: 256, height: 256, L }]);
 */
export async function runColorizationModel(model: ColorizationModel, inputs: ModelInput[], options: ModelDecodeOptions = {}): Promise<Float32Array[]> {
  return (await predictColorization(model, inputs, options)).map((p) => p.ab);
}

/**
 * {@link runColorizationModel} with the confidence of a classification (or both) head.
 *
 * @example
 * const [{ ab, confidence }] = await predictColorization(model, [{ width: 256, height: 256, L }], { decode: 'mean' });
 */
export async function predictColorization(model: ColorizationModel, inputs: ModelInput[], options: ModelDecodeOptions = {}): Promise<ModelPrediction[]> {
  checkDecodeOptions(model, options);
  if (inputs.length === 0) return [];
  const { width, height } = inputs[0];
  for (const inp of inputs) {
    if (inp.width !== width || inp.height !== height) {
      throw new MedcolorError(
        'ERR_MODEL_BATCH_SIZE',
        `every image of a batch must have the same size; found ${width}x${height} and ${inp.width}x${inp.height}`,
      );
    }
    if (inp.L.length !== width * height) {
      throw new MedcolorError('ERR_MODEL_INPUT', `L has ${inp.L.length} values; expected ${width}x${height}`);
    }
    if (inp.hints && (inp.hints.width !== width || inp.hints.height !== height)) {
      throw new MedcolorError('ERR_MODEL_INPUT', `hints are ${inp.hints.width}x${inp.hints.height}; expected the input's ${width}x${height}`);
    }
    if (inp.hints && !model.takesHints) {
      throw new MedcolorError('ERR_BAD_OPTION', `model ${model.name} does not take color hints (its metadata has no ${META.hints} "${HINTS_AB_MASK}"); use a hint-taking model or --method scribble`, { file: model.source });
    }
  }
  if (model.fixedSize && (model.fixedSize[0] !== height || model.fixedSize[1] !== width)) {
    throw new MedcolorError(
      'ERR_MODEL_INPUT_SIZE',
      `model ${model.name} takes ${model.fixedSize[0]}x${model.fixedSize[1]} (height x width) only; found ${height}x${width}`,
      { file: model.source },
    );
  }
  // A model exported with a fixed batch size runs in chunks of that size (the last one padded).
  const chunk = model.fixedBatch ?? inputs.length;
  const results: ModelPrediction[] = [];
  for (let start = 0; start < inputs.length; start += chunk) {
    const part = inputs.slice(start, start + chunk);
    const abs = await runChunk(model, part, model.fixedBatch ?? part.length, width, height, options);
    results.push(...abs);
  }
  return results;
}

function checkDecodeOptions(model: ColorizationModel, o: ModelDecodeOptions): void {
  if (o.decode !== undefined && !AB_DECODES.includes(o.decode)) {
    throw new MedcolorError('ERR_BAD_OPTION', `decode must be one of ${AB_DECODES.join(', ')}; found "${String(o.decode)}"`);
  }
  if (o.temperature !== undefined && !(typeof o.temperature === 'number' && o.temperature > 0 && Number.isFinite(o.temperature))) {
    throw new MedcolorError('ERR_BAD_OPTION', `temperature must be a number > 0; found "${String(o.temperature)}"`);
  }
  if ((o.decode !== undefined || o.temperature !== undefined) && model.head === 'regression') {
    throw new MedcolorError('ERR_BAD_OPTION', `model ${model.name} predicts a*b* directly (${META.head} regression): decode and temperature apply to a classification head only`, { file: model.source });
  }
}

async function runChunk(
  model: ColorizationModel,
  inputs: ModelInput[],
  n: number,
  width: number,
  height: number,
  decode: ModelDecodeOptions,
): Promise<ModelPrediction[]> {
  const hw = width * height;
  const x = new Float32Array(n * hw);
  for (let k = 0; k < inputs.length; k++) {
    const L = inputs[k].L, o = k * hw;
    for (let i = 0; i < hw; i++) x[o + i] = normalizeL(L[i]);
  }
  const feeds: Record<string, OrtTensorLike> = { [INPUT_L]: new model.ort.Tensor('float32', x, [n, 1, height, width]) };
  if (model.takesHints) {
    // Empty planes for inputs without hints: the model then colorizes automatically.
    const hab = new Float32Array(n * 2 * hw), hmask = new Float32Array(n * hw);
    inputs.forEach((inp, k) => {
      const h = inp.hints;
      if (!h) return;
      for (let i = 0; i < hw; i++) {
        if (!h.mask[i]) continue;
        hmask[k * hw + i] = 1;
        hab[2 * k * hw + i] = h.ab[i] / model.abScale;
        hab[(2 * k + 1) * hw + i] = h.ab[hw + i] / model.abScale;
      }
    });
    feeds[INPUT_HINT_AB] = new model.ort.Tensor('float32', hab, [n, 2, height, width]);
    feeds[INPUT_HINT_MASK] = new model.ort.Tensor('float32', hmask, [n, 1, height, width]);
  }
  let out: Record<string, OrtTensorLike>;
  try {
    out = await model.session.run(feeds);
  } catch (e) {
    throw new MedcolorError(
      'ERR_MODEL_RUN',
      `running model ${model.name} on ${n}x1x${height}x${width} failed: ${(e as Error).message}`,
      { file: model.source, cause: e },
    );
  }
  const logits = model.head === 'regression' ? undefined : checkLogits(model, out[OUTPUT_AB_LOGITS], n, width, height);
  // A classification head, or a both head asked for a decoding, gives its colors from the logits.
  const fromLogits = model.head === 'classification' || decode.decode !== undefined;
  const decoded = logits
    ? inputs.map((_, k) => decodeClassOutput(logits.data, k, logits.dims, model.abBins!, width, height, fromLogits ? { decode: decode.decode ?? 'annealed-mean', temperature: decode.temperature } : { decode: 'mean' }))
    : undefined;
  if (fromLogits) return decoded!;
  const ab = out[OUTPUT_AB];
  const dims = ab?.dims ?? [];
  if (!ab || !(ab.data instanceof Float32Array) || dims.length !== 4 || dims[0] !== n || dims[1] !== 2 ||
    dims[2] !== height || dims[3] !== width) {
    throw new MedcolorError(
      'ERR_MODEL_CONTRACT',
      `expected output "ab" float32 [${n},2,${height},${width}]; found ${ab?.type ?? 'nothing'} [${dims.join(',')}]`,
      { file: model.source },
    );
  }
  const data = ab.data;
  const s = model.abScale;
  const results: ModelPrediction[] = [];
  for (let k = 0; k < inputs.length; k++) {
    // Planar [2,H,W] -> interleaved a,b per pixel.
    const res = new Float32Array(2 * hw);
    const oa = k * 2 * hw, ob = oa + hw;
    for (let i = 0; i < hw; i++) {
      res[2 * i] = data[oa + i] * s;
      res[2 * i + 1] = data[ob + i] * s;
    }
    results.push(decoded ? { ab: res, confidence: decoded[k].confidence } : { ab: res });
  }
  return results;
}

/**
 * The model's confidence per pixel from its prediction and the spread of its mirrored
 * predictions: with a `medcolor.confidence` table, exp(-expected CIEDE2000 / 5) for the pixel's
 * L*, predicted chroma and spread (methods/error-table.ts); without one, exp(-spread / 4)
 * (methods/flip-confidence.ts).
 */
export function modelConfidence(model: ColorizationModel, L: Float32Array, ab: Float32Array, spread: Float32Array): Float32Array {
  return model.errorTable
    ? confidenceFromTable(model.errorTable, L, ab, spread)
    : spread.map((s) => Math.exp(-s / FLIP_SPREAD_SCALE));
}

/** The `ab_logits` output checked against the contract: float32 [n, bins, height/s, width/s]. */
function checkLogits(model: ColorizationModel, t: OrtTensorLike | undefined, n: number, width: number, height: number): { data: Float32Array; dims: number[] } {
  const dims = [...(t?.dims ?? [])];
  const q = model.abBins!.length / 2;
  const ok = t && t.data instanceof Float32Array && dims.length === 4 && dims[0] === n && dims[1] === q &&
    dims[2] > 0 && dims[3] > 0 && height % dims[2] === 0 && width % dims[3] === 0 && height / dims[2] === width / dims[3];
  if (!ok) {
    throw new MedcolorError('ERR_MODEL_CONTRACT',
      `expected output "${OUTPUT_AB_LOGITS}" float32 [${n},${q},${height}/s,${width}/s] (${q} bins in ${META.abBins}); found ${t?.type ?? 'nothing'} [${dims.join(',')}]`,
      { file: model.source });
  }
  return { data: t.data as Float32Array, dims };
}

/** Options of the `model` method. */
export interface ModelMethodOptions extends MethodOptions, ModelDecodeOptions {
  /**
   * Color hints for a hint-taking model, in the formats `scribble` reads, in the coordinates of
   * the full-size image (the frame: `hints.width`/`height`, else the size the pipeline resized
   * from, else the input's); they are mapped to the working size. Only the chroma is used: the
   * pipeline keeps the input's L*.
   */
  hints?: Hints;
  /**
   * How the hints are spread after the network (hint-propagation.ts; contract.ts
   * {@link HintPropagation}): default the model's own (metadata `medcolor.hint_propagation`).
   */
  hintPropagation?: HintPropagation;
}

/**
 * The `model` colorization method backed by a loaded model. It runs at whatever size it is given;
 * the pipeline resizes L* to `workingSize` (the model's `medcolor.input_size`) first.
 *
 * @example
 * const method = createModelMethod(model);
 * const { rgb } = await colorizeImage(gray, method, {
 *   methodOptions: { hints: { strokes: [{ points: [[120, 80]], color: '#c03030' }], width: gray.width, height: gray.height } },
 * });
 */
export function createModelMethod(model: ColorizationModel): BatchColorizationMethod {
  const withHints = (input: ColorizeInput, options?: ModelMethodOptions): ModelInput =>
    options?.hints
      ? { ...input, hints: rasterizeHints({ ...input.source, ...options.hints }, input.width, input.height) }
      : input;
  const colorizeBatch = async (inputs: ColorizeInput[], options?: ModelMethodOptions): Promise<ColorizeResult[]> => {
    const propagation = options?.hintPropagation ?? model.hintPropagation;
    if (!HINT_PROPAGATIONS.includes(propagation)) {
      throw new MedcolorError('ERR_BAD_OPTION', `hint propagation must be one of ${HINT_PROPAGATIONS.join(', ')}; found "${String(propagation)}"`);
    }
    // The same hints for every image of the batch (the frames of one multi-frame input).
    const hinted = inputs.map((inp) => withHints(inp, options));
    // 'automatic': the network colorizes without the hints; they are all spread afterwards.
    const feeds: ModelInput[] = propagation === 'automatic' ? hinted.map((f) => ({ ...f, hints: undefined })) : hinted;
    if (model.head !== 'regression') {
      // A classification or both head: the confidence is its distribution's entropy (no mirrored runs).
      const ps = await predictColorization(model, feeds, decodeOptionsOf(options));
      return ps.map((p, k) => {
        const warning = checkModelDomain(model, inputs[k]);
        return { width: inputs[k].width, height: inputs[k].height, ab: p.ab, ...(options?.confidence ? { confidence: p.confidence } : {}), ...(warning ? { warnings: [warning] } : {}) };
      });
    }
    // With options.confidence, the mirror images of every input run in the same batch.
    const mirrored = options?.confidence
      ? FLIPS.flatMap((flip) => feeds.map((f) => ({
        width: f.width,
        height: f.height,
        L: flipPlanar(f.L, f.width, f.height, 1, flip) as Float32Array,
        ...(f.hints ? { hints: flipHints(f.hints, flip) } : {}),
      })))
      : [];
    const abs = await runColorizationModel(model, [...feeds, ...mirrored], decodeOptionsOf(options));
    const n = inputs.length;
    return inputs.map((inp, k) => {
      const ab = abs[k];
      // The spread of the network's own predictions (before the hint propagation changes ab).
      const spread = options?.confidence
        ? predictionSpread([ab, ...FLIPS.map((flip, j) => flipInterleavedAb(abs[n * (j + 1) + k], inp.width, inp.height, flip))], inp.width * inp.height)
        : undefined;
      const hints = hinted[k].hints;
      if (hints && propagation !== 'none') propagateHintResidual(inp.L, inp.width, inp.height, ab, hints);
      const warning = checkModelDomain(model, inp);
      const res: ColorizeResult = { width: inp.width, height: inp.height, ab, ...(warning ? { warnings: [warning] } : {}) };
      if (spread) res.confidence = modelConfidence(model, inp.L, ab, spread);
      return res;
    });
  };
  return {
    name: 'model',
    description: `learned colorizer ${model.name} (ONNX, working size ${model.inputSize}${model.takesHints ? ', takes color hints' : ''}${model.head !== 'regression' ? `, ${model.head} head` : ''})`,
    workingSize: model.inputSize,
    async colorize(input: ColorizeInput, options?: ModelMethodOptions): Promise<ColorizeResult> {
      return (await colorizeBatch([input], options))[0];
    },
    colorizeBatch,
  };
}

function decodeOptionsOf(o?: ModelMethodOptions): ModelDecodeOptions {
  return { ...(o?.decode !== undefined ? { decode: o.decode } : {}), ...(o?.temperature !== undefined ? { temperature: o.temperature } : {}) };
}

/**
 * Reads the metadata_props of an ONNX file without decoding the graph (a few protobuf
 * fields at the top level; weights are skipped, not copied).
 *
 * @example
 * readOnnxMetadata(bytes)[META.abScale]; // "110"
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const r = new ProtoReader(bytes);
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 14 && wire === 2) {
      // StringStringEntryProto { key = 1; value = 2; }
      const entry = r.sub();
      let key = '', value = '';
      while (!entry.done()) {
        const t = entry.tag();
        if (t.field === 1 && t.wire === 2) key = entry.string();
        else if (t.field === 2 && t.wire === 2) value = entry.string();
        else entry.skip(t.wire);
      }
      out[key] = value;
    } else {
      r.skip(wire);
    }
  }
  return out;
}

const utf8 = new TextDecoder();

/** Minimal protobuf wire-format reader (enough to walk fields and skip what is not needed). */
class ProtoReader {
  private pos: number;
  constructor(private readonly buf: Uint8Array, start = 0, private readonly end = buf.length) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  private varint(): number {
    let result = 0, mul = 1;
    for (;;) {
      if (this.pos >= this.end) throw this.bad();
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
      if (mul > 2 ** 63) throw this.bad();
    }
  }
  tag(): { field: number; wire: number } {
    const t = this.varint();
    return { field: Math.floor(t / 8), wire: t & 7 };
  }
  private len(): number {
    const n = this.varint();
    if (this.pos + n > this.end) throw this.bad();
    return n;
  }
  sub(): ProtoReader {
    const n = this.len();
    const r = new ProtoReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  string(): string {
    const n = this.len();
    const s = utf8.decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) {
      const n = this.len(); // read first: `this.pos += this.len()` would add to the pos before the length
      this.pos += n;
    }
    else if (wire === 5) this.pos += 4;
    else throw this.bad();
    if (this.pos > this.end) throw this.bad();
  }
  private bad(): MedcolorError {
    return new MedcolorError('ERR_MODEL_FORMAT', 'not a valid ONNX (protobuf) file: malformed field');
  }
}
