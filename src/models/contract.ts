/**
 * The medcolor model contract: what an exported colorizer takes and returns, and the metadata
 * keys that describe it. The one place these names and numbers are defined; the trainer, the
 * exporter, the loader and the inference method import them. Platform-neutral (no Node imports).
 *
 * Inputs (NCHW float32):
 * - `L` [N,1,H,W]: L* / 50 - 1 (L* in 0..100 maps to -1..1), see {@link normalizeL};
 * - hint-taking models only (metadata `medcolor.hints` = "ab+mask"), as in Zhang et al. 2017:
 *   `hint_ab` [N,2,H,W]: the hinted a*b* divided by {@link AB_SCALE} where the mask is 1, else 0;
 *   `hint_mask` [N,1,H,W]: 1 at hinted pixels, 0 elsewhere. All zeros = automatic colorization.
 * Outputs, by the model's head (metadata `medcolor.head`; absent = "regression", every model
 * before the classification head):
 * - "regression": `ab` [N,2,H,W] in [-1,1]; a*b* = ab * `medcolor.ab_scale` (default {@link AB_SCALE});
 * - "classification" (Zhang et al. 2016): `ab_logits` [N,Q,H/s,W/s], logits over the Q a*b* bins
 *   whose centers `medcolor.ab_bins` lists (JSON [[a*, b*], ...], grid `medcolor.ab_grid`), at
 *   1/s of the input's resolution (s = H divided by the output's height); decoded by the mean or
 *   the annealed mean (color/ab-decode.ts) and upsampled;
 * - "both": one network with both outputs.
 */
import { MedcolorError } from '../errors.js';

/** Input name of the normalized lightness. */
export const INPUT_L = 'L';
/** Input name of the hint chroma (hint-taking models). */
export const INPUT_HINT_AB = 'hint_ab';
/** Input name of the hint mask (hint-taking models). */
export const INPUT_HINT_MASK = 'hint_mask';
/** Output name of the normalized a*b*. */
export const OUTPUT_AB = 'ab';
/** Output name of the logits over the a*b* bins (classification head). */
export const OUTPUT_AB_LOGITS = 'ab_logits';

/** What a model predicts: a*b* (regression), a distribution over a*b* bins (classification), or both. */
export type ModelHead = 'regression' | 'classification' | 'both';
export const MODEL_HEADS: readonly ModelHead[] = ['regression', 'classification', 'both'];

/** The `metadata_props` keys an exported colorizer carries. */
export const META = {
  format: 'medcolor.format',
  name: 'medcolor.name',
  lNorm: 'medcolor.l_norm',
  abScale: 'medcolor.ab_scale',
  inputSize: 'medcolor.input_size',
  inputs: 'medcolor.inputs',
  outputs: 'medcolor.outputs',
  architecture: 'medcolor.architecture',
  loss: 'medcolor.loss',
  trainedOn: 'medcolor.trained_on',
  training: 'medcolor.training',
  val: 'medcolor.val',
  /** "ab+mask" when the model takes the hint inputs; absent (or "none") otherwise. */
  hints: 'medcolor.hints',
  /**
   * A hint-taking model: how hints are spread after the network ({@link HintPropagation}); absent
   * means "hinted".
   */
  hintPropagation: 'medcolor.hint_propagation',
  /** JSON: validation PSNR/SSIM/CIEDE2000 per number of simulated hints. */
  valHints: 'medcolor.val_hints',
  /** JSON: the training inputs' description (models/domain.ts); inputs far from it warn WARN_OUT_OF_DOMAIN. */
  domain: 'medcolor.domain',
  /** JSON: the expected error per pixel learned on the training split (methods/error-table.ts), for the confidence map. */
  confidence: 'medcolor.confidence',
  /** The head: "regression" (absent = this), "classification" or "both" ({@link ModelHead}). */
  head: 'medcolor.head',
  /** Classification head: JSON [[a*, b*], ...], the center of each bin, in the order of `ab_logits`' channels. */
  abBins: 'medcolor.ab_bins',
  /** Classification head: grid size of the bins (a*b* units). */
  abGrid: 'medcolor.ab_grid',
  /** JSON: validation scores of the other decodings of a classification or both head. */
  valDecodes: 'medcolor.val_decodes',
} as const;

/**
 * How a hint-taking model's hints reach the output (methods/hint-propagation.ts): 'hinted', the
 * network colorizes with the hints and what it left of each is spread by Levin propagation;
 * 'automatic', the network colorizes without them and the whole gap to each hint is spread;
 * 'none', the network's hinted output as it is.
 */
export type HintPropagation = 'hinted' | 'automatic' | 'none';
export const HINT_PROPAGATIONS: readonly HintPropagation[] = ['hinted', 'automatic', 'none'];

/** Value of `medcolor.format` written by the exporter. */
export const MODEL_FORMAT = 'colorizer-v1';
/** The only L normalization in the contract (value of `medcolor.l_norm`). */
export const L_NORM = 'L/50-1';
/** Value of `medcolor.hints` for models that take `hint_ab` and `hint_mask`. */
export const HINTS_AB_MASK = 'ab+mask';

/**
 * a*b* = model output * AB_SCALE: the model's output range (tanh, -1..1) covers a*, b* in
 * -110..110. Also the default when a model's metadata has no `medcolor.ab_scale`.
 */
export const AB_SCALE = 110;
/** Working size (square side) when a model's metadata has no `medcolor.input_size`. */
export const DEFAULT_INPUT_SIZE = 256;

/** L* (0..100) to the model's input value. */
export function normalizeL(lStar: number): number {
  return lStar / 50 - 1;
}

/** The model's input value back to L* (0..100). */
export function denormalizeL(v: number): number {
  return (v + 1) * 50;
}

/**
 * The JSON value of a model's metadata entry `key` (e.g. `medcolor.domain`). Text that is not
 * JSON -> MedcolorError 'ERR_MODEL_CONTRACT' naming the key.
 */
export function parseMetadataJson(key: string, value: string, file?: string): unknown {
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new MedcolorError('ERR_MODEL_CONTRACT', `metadata ${key} is not JSON: ${(e as Error).message}`, { file, cause: e });
  }
}
